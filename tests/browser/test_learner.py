"""Browser tests of what a learner hit (issue 14): picking loads, the address is
followed, late interventions play out, the keyboard, violations stop the player, and a
deployment under a sub-path."""

import functools
import http.server
import os
import tempfile
import threading

from helpers import card, check, load, log_text, run_to_end, scrub_to, step_count


def wait_step(page, n):
    page.wait_for_function(f"document.querySelector('#step-count').textContent.trim() === '{n}'")


def test_picking_loads(page, ctx):
    load(page, "paxos-basic")
    page.click("#step-btn")
    wait_step(page, 1)
    page.select_option("#scenario-select", "zab-election-fresh")
    page.wait_for_function("location.hash.includes('scenario=zab-election-fresh')")
    wait_step(page, 0)
    check(page.locator("[data-testid='node-1-phase']").count() == 1, "picking a ZAB scenario shows ZAB nodes at once")


def test_hash_is_followed(page, ctx):
    page.evaluate("location.hash = '#scenario=paxos-livelock&seed=3&fix=none'")
    page.wait_for_function("document.querySelector('#scenario-select').value === 'paxos-livelock'")
    check(page.input_value("#seed-input") == "3", "the seed in the changed address is loaded")
    wait_step(page, 0)


def leader(page, nodes=(1, 2, 3)):
    leading = [n for n in nodes if card(page, n, "state") == "LEADING"]
    return leading[0] if leading else None


def test_late_crash_plays_out(page, ctx):
    """Crash the leader at the very end of a run: the run goes on to a new leader."""
    load(page, "zab-election-epoch")
    run_to_end(page)
    old = leader(page)
    check(old is not None, "a server leads at the end of the run")
    end = step_count(page)
    page.click(f"[data-testid='toggle-node-{old}']")
    wait_step(page, end + 1)
    page.click("#play-btn")
    page.wait_for_function(
        "document.querySelector('#play-btn').getAttribute('aria-pressed') === 'false'", timeout=60_000)
    new = leader(page, [n for n in (1, 2, 3) if n != old])
    check(new is not None, f"after crashing leader {old} late, another server leads")
    check(page.inner_text("#violations").strip() == "0", "crashing the leader breaks no invariant")
    steps = step_count(page)
    page.click("#step-btn")
    wait_step(page, steps + 1)
    page.click("#play-btn")
    page.wait_for_function(f"Number(document.querySelector('#step-count').textContent) > {steps + 3}")
    page.click("#play-btn")


def test_scrub_anywhere_and_whole_log(page, ctx):
    """The run is computed ahead: the scrubber reaches its end at once, and the log keeps
    every line reachable."""
    load(page, "zab-leader-crash")
    page.wait_for_function("Number(document.querySelector('#scrubber').max) > 300")
    check(step_count(page) == 0, "computing ahead does not move the run")
    scrub_to(page, 300)
    wait_step(page, 300)
    more = page.locator("[data-testid='log-more']")
    check(more.count() == 1, "a long log offers its earlier lines")
    before = page.locator("#event-log .log-line").count()
    more.click()
    page.wait_for_function(f"document.querySelectorAll('#event-log .log-line').length > {before}")


def test_space_plays_anywhere(page, ctx):
    load(page, "paxos-basic")
    page.focus("#step-btn")
    page.keyboard.press(" ")
    page.wait_for_function("document.querySelector('#play-btn').getAttribute('aria-pressed') === 'true'")
    page.keyboard.press(" ")
    page.wait_for_function("document.querySelector('#play-btn').getAttribute('aria-pressed') === 'false'")
    page.focus("#seed-input")
    before = page.input_value("#seed-input")
    page.keyboard.press(" ")
    check(page.get_attribute("#play-btn", "aria-pressed") == "false", "Space in a text field types, it does not play")
    page.fill("#seed-input", before)


def test_help_overlay(page, ctx):
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("?")
    page.wait_for_selector("[data-testid='help']")
    check("Space" in page.inner_text("[data-testid='help']"), "the help lists the keys")
    check(page.evaluate("document.activeElement.dataset.testid") == "help-close", "focus moves into the help")
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-testid='help']", state="detached")
    page.click("#help-btn")
    page.wait_for_selector("[data-testid='help']")
    page.click("[data-testid='help-close']")
    page.wait_for_selector("[data-testid='help']", state="detached")


def test_drop_by_keyboard_keeps_focus_off_other_rows(page, ctx):
    load(page, "paxos-basic")
    page.click("#step-btn")
    wait_step(page, 1)
    drops = page.locator("[data-testid^='drop-']")
    check(drops.count() >= 2, "several messages are in flight")
    first = drops.first.get_attribute("data-testid")
    page.focus(f"[data-testid='{first}']")
    page.keyboard.press("Enter")
    wait_step(page, 2)
    focused = page.evaluate("document.activeElement && document.activeElement.dataset.testid || ''")
    check(not focused.startswith("drop-"), f"focus did not land on another message's Drop ({focused!r})")


def test_violation_pauses_and_links(page, ctx):
    load(page, "zab-buggy-skip-trunc")
    page.select_option("#speed-select", "50")
    page.click("#play-btn")
    page.wait_for_function(
        "document.querySelector('#play-btn').getAttribute('aria-pressed') === 'false'", timeout=60_000)
    check(page.inner_text("#violations").strip() != "0", "the buggy mode breaks an invariant")
    link = page.locator("[data-testid='violation-link']").first
    at = int(link.inner_text().rsplit("step ", 1)[1].rstrip(")"))
    check(step_count(page) == at, f"the player paused at the violating step {at}, not at {step_count(page)}")
    check(page.locator(".cluster .node.violating").count() == 1, "the node whose step broke it is marked")
    # The link stays while the violation is in the past: step on, then follow it back.
    page.click("#step-btn")
    wait_step(page, at + 1)
    link.click()
    wait_step(page, at)


def test_phone_player_and_labels(page, ctx):
    """On a phone: legible state labels inside their discs, 44 px tap targets, and the
    player with the latest sentence on screen while the page scrolls."""
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        load(page, "zab-election-fresh")
        for n in range(1, 6):
            page.click("#step-btn")
            wait_step(page, n)
        sizes = page.evaluate("""() => [...document.querySelectorAll('.cluster .node')].map(g => {
            const t = g.querySelector('.node-state').getBoundingClientRect();
            const c = g.querySelector('circle:not(.observer-ring)').getBoundingClientRect();
            return [t.height, t.width, c.width];
        })""")
        for h, w, disc in sizes:
            check(h >= 9, f"a state label is legible ({h:.1f} px high)")
            check(w <= disc, f"a state label fits its disc ({w:.1f} px in {disc:.1f} px)")
        small = page.evaluate("""() => [...document.querySelectorAll('button')]
            .filter(b => b.offsetParent !== null && b.closest('.overlay') === null)
            .map(b => b.getBoundingClientRect().height).filter(h => h < 43.5)""")
        check(not small, f"every visible button is at least 44 px high ({small})")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(100)
        top = page.evaluate("document.querySelector('#play-btn').getBoundingClientRect().top")
        check(0 <= top < 844, f"the player stays on screen while scrolling (top {top})")
        check(page.inner_text("[data-testid='now-line']").strip() != "", "the latest sentence shows with it")
    finally:
        page.set_viewport_size({"width": 1366, "height": 900})
        page.evaluate("window.scrollTo(0, 0)")


def test_messages_have_letters(page, ctx):
    """Message kinds are told apart without colour: each dot and row carries its letters."""
    load(page, "paxos-basic")
    seen = set()
    for n in range(1, 40):
        if {"1a", "1b", "2a", "2b"} <= seen:
            break
        page.click("#step-btn")
        wait_step(page, n)
        glyphs = page.evaluate("[...document.querySelectorAll('.cluster .messages .msg-dot')]"
                               ".map(g => g.querySelector('text').textContent)")
        check(all(glyphs), f"every message on the wire has its letters ({glyphs})")
        seen.update(glyphs)
    check({"1a", "1b", "2a", "2b"} <= seen, f"Prepare, Promise, Accept, Accepted read 1a 1b 2a 2b ({seen})")
    rows = page.evaluate("[...document.querySelectorAll('#in-flight .swatch')].map(s => s.textContent)")
    check(all(rows), f"every listed message has its letters ({rows})")


def test_chinese_is_legible(page, ctx):
    """The page has a font for its Chinese: a character draws differently from a code
    point no font has (which every font without CJK draws as the same empty box)."""
    drawn = page.evaluate("""() => {
        const draw = (text) => {
            const c = document.createElement('canvas');
            c.width = 40; c.height = 40;
            const g = c.getContext('2d');
            g.font = '32px ' + getComputedStyle(document.body).fontFamily;
            g.fillText(text, 2, 32);
            return Array.from(g.getImageData(0, 0, 40, 40).data).join(',');
        };
        return [draw('节'), draw('\\u{10FFFD}')];
    }""")
    check(drawn[0] != drawn[1], "Chinese characters draw as glyphs, not empty boxes (install fonts-noto-cjk)")


def test_sub_path(page, ctx):
    """Served under a sub-path (a project site), the app loads its files and starts."""
    dist = os.path.abspath("www/dist")
    root = tempfile.mkdtemp()
    os.symlink(dist, os.path.join(root, "ensemble"))
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    failed = []
    def on_response(r):
        if r.status >= 400 and "/live" not in r.url:
            failed.append(r.url)

    page.on("response", on_response)
    errors_before = len(ctx.errors)
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/ensemble/")
        page.wait_for_function("window.ensembleReady === true", timeout=20_000)
        check(page.locator("#boot").count() == 0, "the loading note is gone once the app runs")
        check(page.locator("#scenario-select option").count() >= 10, "the app runs under a sub-path")
        check(not failed, f"every file was found: {failed}")
        # A static host has no live ensemble: the app's probe for one gets a 404, which
        # Chromium logs; nothing else may go wrong.
        others = [e for e in ctx.errors[errors_before:] if "404" not in e]
        check(not others, f"no errors under a sub-path: {others}")
        del ctx.errors[errors_before:]
    finally:
        page.remove_listener("response", on_response)
        server.shutdown()
        os.unlink(os.path.join(root, "ensemble"))
        os.rmdir(root)
        page.goto(ctx.url)
        page.wait_for_function("window.ensembleReady === true", timeout=20_000)


def seek(page, n):
    """Drag the timeline to step `n`."""
    page.evaluate(f"""() => {{
        const s = document.querySelector('#scrubber');
        s.value = '{n}';
        s.dispatchEvent(new Event('input', {{ bubbles: true }}));
    }}""")
    wait_step(page, n)


def test_history_matrix(page, ctx):
    """Item 15: the history matrix keeps the proposal only the old leader logged, cut by
    TRUNC, as a struck-through ghost marked with the step that cut it; committed cells are
    solid, pending ones hatched; the leader's committed-log window is shaded."""
    load(page, "zab-crash-mid-broadcast-minority")
    page.wait_for_selector("[data-testid='history-matrix'] h2")
    run_to_end(page)
    ghost = page.locator("[data-testid='history-row-3'] [data-state='cut']")
    check(ghost.count() == 1, f"one ghost on the old leader's row ({ghost.count()})")
    check(ghost.get_attribute("data-pos") == "0x100000003", "the ghost is the lost proposal 0x100000003")
    check("create /b" in ghost.inner_text(), "the ghost shows its operation and path")
    cut = int(ghost.get_attribute("data-cut-step"))
    check(f"cut at step {cut}" in ghost.get_attribute("title"), "the ghost names the step that cut it")
    check(page.evaluate("""() => getComputedStyle(document.querySelector(
        "[data-testid='history-row-3'] [data-state='cut'] .op")).textDecorationLine""") == "line-through",
        "the ghost is struck through")
    done = page.locator("[data-testid='history-row-2'] [data-state='done']")
    check(done.count() >= 2, "the leader's committed entries are drawn")
    check(page.evaluate("""() => getComputedStyle(document.querySelector(
        "[data-testid='history-row-2'] [data-state='done']")).backgroundImage""") == "none", "committed is solid")
    check(page.locator("[data-testid='history-cell'][data-window='1']").count() >= 1, "the leader's window is shaded")
    check(page.locator("[data-testid='history-window']").count() == 1, "the legend says what the window means")
    seek(page, cut)
    check(page.locator("#event-log .log-line[data-kind='truncated'][data-node='3']").count() >= 1,
          f"step {cut} is node 3's TRUNC")
    seek(page, cut - 1)
    pending = page.locator("[data-testid='history-row-3'] [data-pos='0x100000003']")
    check(pending.get_attribute("data-state") == "pending", "before the TRUNC the proposal is pending on node 3")
    check(page.evaluate("""() => getComputedStyle(document.querySelector(
        "[data-testid='history-row-3'] [data-pos='0x100000003']")).backgroundImage""").startswith(
        "repeating-linear-gradient"), "pending is hatched")
    check(page.locator("[data-testid='history-row-2'] [data-pos='0x100000003']").count() == 0,
          "the new leader never had it")


def test_majorities_counted_and_roles_agree(page, ctx):
    """paxos-basic counts its majorities aloud, tells chosen from learned, and its cards
    agree with its description (one proposer, three acceptors that also learn); an
    acceptor that promised does not read IDLE; no browser text names CLI flags."""
    load(page, "paxos-basic")
    desc = page.inner_text(".description")
    check("One proposer (node 1) and three acceptors" in desc, f"the description names the roles: {desc}")
    roles = {n: card(page, n, "role") for n in (1, 2, 3)}
    check("proposer" in roles[1], f"node 1 is the one proposer: {roles}")
    for n in (1, 2, 3):
        check("acceptor" in roles[n] and "learner" in roles[n], f"node {n} accepts and learns: {roles}")
    for n in (2, 3):
        check("proposer" not in roles[n], f"node {n} proposes nothing, as described: {roles}")
    states = []
    for i in range(1, 9):
        page.click("#step-btn")
        wait_step(page, i)
        states.append(card(page, 2, "state"))
    check("PROMISED" in states, f"acceptor 2 reads PROMISED once it promised: {states}")
    check("IDLE" not in states[states.index("PROMISED"):], f"a promised acceptor never reads IDLE again: {states}")
    run_to_end(page)
    text = log_text(page)
    check("2 of 3 acceptors promised ballot 1.1 to node 1: a majority." in text, "the promises are counted aloud")
    check("is now chosen: with node" in text and "No node knows it yet" in text, "chosen is told apart")
    check("only now does node" in text, "learning is told as knowing what was already chosen")
    load(page, "paxos-livelock")
    desc = page.inner_text(".description")
    check("--" not in desc and "Choose a livelock fix" in desc, f"the browser's own hint, no CLI flags: {desc}")


LEARNER_TESTS = [test_picking_loads, test_hash_is_followed, test_late_crash_plays_out,
                 test_scrub_anywhere_and_whole_log, test_space_plays_anywhere,
                 test_help_overlay, test_drop_by_keyboard_keeps_focus_off_other_rows, test_violation_pauses_and_links,
                 test_phone_player_and_labels, test_messages_have_letters, test_chinese_is_legible,
                 test_sub_path, test_history_matrix, test_majorities_counted_and_roles_agree]

"""Browser tests of the timeline's milestones and the keys and taps around them (issue 14
items 9, 10 and 17): marks under the scrubber, next/previous milestone by button and by
key, a heartbeat filter for the log, crash and restart of the selected node by key, and a
message's details on a tap."""

import json

from helpers import SCREENSHOT_DIR, card, check, load, play_until, step_count


def wait_step(page, n):
    page.wait_for_function(f"document.querySelector('#step-count').textContent.trim() === '{n}'")


def marks(page):
    """`(step, kinds)` of every mark on the timeline."""
    return page.evaluate("""[...document.querySelectorAll("[data-testid='milestone']")]
        .map(m => [Number(m.dataset.step), m.dataset.kinds.split(' ')])""")


def test_milestones_are_marked_and_walked(page, ctx):
    """A leader crash in ZAB: the whole run's milestones are marked before it is played,
    and n / p and the buttons walk them."""
    load(page, "zab-leader-crash")
    page.wait_for_function("document.querySelectorAll(\"[data-testid='milestone']\").length > 3")
    page.wait_for_timeout(300)  # the run is computed ahead in chunks
    found = marks(page)
    kinds = {k for _, ks in found for k in ks}
    for k in ("election", "epoch", "crash", "sync", "commit"):
        check(k in kinds, f"a {k} is marked on the timeline ({sorted(kinds)})")
    steps = sorted(s for s, _ in found)
    page.keyboard.press("n")
    wait_step(page, steps[0])
    page.click("[data-testid='next-milestone']")
    wait_step(page, steps[1])
    page.keyboard.press("p")
    wait_step(page, steps[0])
    crash = next(s for s, ks in found if "crash" in ks)
    page.click(f"[data-testid='milestone'][data-step='{crash}']")
    wait_step(page, crash)
    check("crash" in page.inner_text("#event-log").lower(), "the crash's step narrates the crash")


def test_heartbeats_can_be_hidden(page, ctx):
    load(page, "zab-leader-crash")
    play_until(page, "Number(document.querySelector('#step-count').textContent) > 150")
    check("PING" in page.inner_text("#event-log"), "heartbeats show in the log at first")
    page.check("[data-testid='hide-heartbeats']")
    page.wait_for_function("!document.querySelector('#event-log').innerText.includes('PING')")
    check(page.locator("#event-log li").count() > 5, "the rest of the log stays")
    page.uncheck("[data-testid='hide-heartbeats']")
    page.wait_for_function("document.querySelector('#event-log').innerText.includes('PING')")


def test_crash_and_restart_the_selected_node_by_key(page, ctx):
    load(page, "paxos-basic")
    page.keyboard.press("c")
    page.wait_for_selector(".summary [role='alert']")
    check(step_count(page) == 0, "c with no node selected does nothing but say why")
    page.keyboard.press("2")
    page.wait_for_selector(".cluster .node.selected")
    check(page.locator("[data-testid='node-2'].selected").count() == 1, "the selected node's card is marked")
    page.keyboard.press("c")
    page.wait_for_function("document.querySelector(\"[data-testid='node-2-state']\").textContent.includes('CRASHED')")
    page.keyboard.press("r")
    page.wait_for_function("!document.querySelector(\"[data-testid='node-2-state']\").textContent.includes('CRASHED')")
    page.click("[data-testid='disc-3']")
    page.wait_for_selector("[data-testid='disc-3'].selected")
    check(page.locator(".cluster .node.selected").count() == 1, "a click selects one node")
    check(card(page, 3, "state") != "CRASHED", "selecting does not crash")


def test_message_details_on_tap(page, ctx):
    load(page, "paxos-basic")
    page.click("#step-btn")
    wait_step(page, 1)
    dot = page.locator(".cluster .msg-dot").first
    msg_id = dot.get_attribute("data-testid").split("-")[1]
    dot.click()
    details = page.locator("[data-testid='msg-details']")
    details.wait_for()
    text = details.inner_text()
    check(f"#{msg_id}" in text and "Prepare" in text, f"the tapped message's details show ({text!r})")
    check("ms" in text, "its send and arrival times show")
    page.click("[data-testid='msg-details-close']")
    details.wait_for(state="detached")
    page.click(f"[data-testid='show-{msg_id}']")
    details.wait_for()


def test_captioned_tour(page, ctx):
    """A teacher pins two moments (the second on a branch with a crash), the address
    holds the tour, and a student who opens it pages through exactly those moments."""
    load(page, "paxos-livelock", seed=3)
    for n in range(1, 11):
        page.keyboard.press("ArrowRight")
    wait_step(page, 10)
    page.fill("[data-testid='tour-caption-input']", "Two proposers duel")
    page.click("[data-testid='pin-btn']")
    page.wait_for_selector("[data-testid='tour-stop']")
    page.click("[data-testid='toggle-node-2']")
    wait_step(page, 11)
    for n in range(12, 16):
        page.click("#step-btn")
        wait_step(page, n)
    page.fill("[data-testid='tour-caption-input']", "With node 2 down, one proposer is left")
    page.press("[data-testid='tour-caption-input']", "Enter")
    page.wait_for_function("document.querySelectorAll(\"[data-testid='tour-stop']\").length === 2")
    link = page.get_attribute("[data-testid='tour-link']", "href")
    check(link.startswith("#scenario=paxos-livelock") and "tour=" in link, f"the tour is in the link ({link[:60]})")
    page.wait_for_function("location.hash.includes('tour=')")

    student = page.context.browser.new_page(viewport={"width": 1366, "height": 900})
    try:
        student.goto(ctx.url + "/" + link)
        student.wait_for_selector("[data-testid='tour-caption']")
        check("Two proposers duel" in student.inner_text("[data-testid='tour-caption']"), "the first stop's caption shows")
        check(step_count(student) == 10, f"the first stop is step 10 ({step_count(student)})")
        student.click("[data-testid='next-stop']")
        student.wait_for_function("document.querySelector(\"[data-testid='tour-caption']\").innerText.includes('node 2 down')")
        check(step_count(student) == 15, f"the second stop is step 15 ({step_count(student)})")
        check(card(student, 2, "state") == "CRASHED", "the second stop is on the branch where node 2 crashed")
        student.click("[data-testid='prev-stop']")
        student.wait_for_function("document.querySelector('#step-count').textContent.trim() === '10'")
        check(card(student, 2, "state") != "CRASHED", "back at the first stop, node 2 is up again")
    finally:
        student.close()
    page.click("[data-testid='tour-stop'] button[aria-label$='1']")
    page.wait_for_function("document.querySelectorAll(\"[data-testid='tour-stop']\").length === 1")




def test_break_it_here(page, ctx):
    """On the TRUNC of a clean run, "break it here" runs the same branch with TRUNC
    skipped, beside the run as written, to the violation; the broken run then opens."""
    page.evaluate("location.hash = '#scenario=zab-buggy-skip-trunc&buggy=none'")
    page.wait_for_function("document.querySelector('#buggy-select').value === 'none'")
    play_until(page, "document.querySelector(\"#event-log [data-mode='skip-trunc']\")")
    check(page.inner_text("#violations").strip() == "0", "the run as written breaks nothing")
    page.click("#event-log [data-mode='skip-trunc'] >> nth=0")
    panel = page.locator("[data-testid='broken']")
    panel.wait_for()
    summary = page.inner_text("[data-testid='broken-summary']")
    check("skip-trunc" in summary and "checker finds" in summary, f"the broken run's violation is told ({summary!r})")
    check(page.locator("[data-testid='side-broken'] li.differs").count() > 0, "the facts that differ are marked")
    page.click("[data-testid='open-broken']")
    page.wait_for_function("document.querySelector('#buggy-select').value === 'skip-trunc'")
    check(page.inner_text("#violations").strip() != "0", "the broken run, opened, is at its violation")


def test_link_reopens_the_moment(page, ctx):
    """The address holds the step and the branch: a link opens exactly that moment."""
    load(page, "paxos-livelock", seed=3)
    for n in range(1, 8):
        page.click("#step-btn")
        wait_step(page, n)
    page.click("[data-testid='toggle-node-2']")
    wait_step(page, 8)
    for n in range(9, 13):
        page.click("#step-btn")
        wait_step(page, n)
    page.wait_for_function("location.hash.includes('step=12') && location.hash.includes('branch=')")
    link = page.evaluate("location.hash")
    other = page.context.browser.new_page(viewport={"width": 1366, "height": 900})
    try:
        other.goto(ctx.url + "/" + link)
        other.wait_for_function("window.ensembleReady === true")
        wait_step(other, 12)
        check(card(other, 2, "state") == "CRASHED", "the link's branch (node 2 crashed at step 8) is rebuilt")
        check(other.inner_text("#event-log") == page.inner_text("#event-log"), "the same moment narrates the same")
    finally:
        other.close()


def test_export_trace(page, ctx):
    load(page, "paxos-basic")
    for n in range(1, 6):
        page.click("#step-btn")
        wait_step(page, n)
    with page.expect_download() as download:
        page.click("[data-testid='export-trace']")
    d = download.value
    check(d.suggested_filename.startswith("paxos-basic-seed") and d.suggested_filename.endswith("step5.jsonl"),
          f"the file is named after the run ({d.suggested_filename})")
    with open(d.path(), encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    check(lines and lines[0]["step"] == 1 and lines[-1]["step"] == 5, "the trace holds steps 1 to 5")
    check(all("event" in line and "type" in line["event"] for line in lines), "every line is a trace event")


def test_invariants_panel(page, ctx):
    """Every invariant is listed green; a buggy run turns the broken one red, with a link
    to the step that broke it."""
    load(page, "zab-buggy-skip-trunc")
    names = page.evaluate("[...document.querySelectorAll(\"[data-testid='invariant']\")].map(l => l.dataset.name)")
    check({"agreement", "one_leader_per_epoch", "committed_survives", "stuck"} <= set(names), f"ZAB's invariants are listed ({names})")
    check(page.locator("[data-testid='invariant'].bad").count() == 0, "all hold at step 0")
    play_until(page, "document.querySelector(\"[data-testid='invariant'].bad\")")
    bad = page.locator("[data-testid='invariant'].bad").first
    step = int(bad.inner_text().split("step ")[1].split()[0])
    page.click("#step-btn")
    wait_step(page, step_count(page))
    bad.locator("button").click()
    wait_step(page, step)


def luminance(rgb):
    """Relative luminance of a CSS `rgb(r, g, b)` colour."""
    parts = [int(p) / 255 for p in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_dark_theme(page, ctx):
    """With the system's dark preference the page turns dark and stays legible: body text
    on the page and a node's number on its disc keep a contrast of at least 4.5."""
    page.emulate_media(color_scheme="dark")
    try:
        load(page, "zab-election-fresh")
        colours = page.evaluate("""() => {
            const s = (el, p) => getComputedStyle(el)[p];
            const disc = document.querySelector('.cluster .node circle:not(.observer-ring)');
            const id = document.querySelector('.cluster .node .node-id');
            const panel = document.querySelector('.panel');
            return {bg: s(document.body, 'backgroundColor'), ink: s(panel, 'color'), panel: s(panel, 'backgroundColor'),
                    disc: s(disc, 'fill'), id: s(id, 'fill')};
        }""")
        check(luminance(colours["bg"]) < 0.05, f"the page is dark ({colours['bg']})")
        check(contrast(colours["ink"], colours["panel"]) >= 4.5, f"text on a panel is legible ({colours})")
        check(contrast(colours["id"], colours["disc"]) >= 4.5, f"a node's number on its disc is legible ({colours})")
    finally:
        page.emulate_media(color_scheme="light")


def test_inspector_marks_what_the_step_changed(page, ctx):
    """A selected node shows every field of its state; what the last step changed is
    marked there and in the node cards, the same whichever way the step was reached."""
    load(page, "paxos-basic")
    check(page.locator("[data-testid='inspector']").count() == 0, "no inspector before a node is selected")
    page.keyboard.press("2")
    page.wait_for_selector("[data-testid='inspector']")
    check(page.locator("[data-testid='inspector'] dt.changed").count() == 0, "step 0 changed nothing")
    changed = "[data-testid='inspector'] dt.changed"
    for _ in range(30):
        if page.locator(changed).count() > 0:
            break
        page.click("#step-btn")
        page.wait_for_timeout(50)
    check(page.locator(changed).count() > 0, "a step that reaches node 2 marks its changed fields")
    paths = page.eval_on_selector_all(changed, "els => els.map(e => e.dataset.path)")
    card = page.locator("[data-testid='node-2'] .changed").count()
    check(card > 0, f"node 2's card marks the change too (fields {paths})")
    step = step_count(page)
    page.click("#step-btn")
    wait_step(page, step + 1)
    page.click("#back-btn")
    wait_step(page, step)
    again = page.eval_on_selector_all(changed, "els => els.map(e => e.dataset.path)")
    check(again == paths, f"stepping back to the step marks the same fields ({again} vs {paths})")
    page.screenshot(path=f"{SCREENSHOT_DIR}/inspector.png", full_page=True)
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-testid='inspector']", state="detached")


TIMELINE_TESTS = [test_milestones_are_marked_and_walked, test_heartbeats_can_be_hidden,
                  test_crash_and_restart_the_selected_node_by_key, test_message_details_on_tap, test_captioned_tour,
                  test_break_it_here, test_link_reopens_the_moment, test_export_trace,
                  test_invariants_panel, test_dark_theme, test_inspector_marks_what_the_step_changed]

"""Browser tests of the sequence (space-time) diagram: one lane per node, an arrow per
message sent so far that shows what the trace says (kind, sender, receiver, step), a click
or Enter on an arrow seeks to the step it was sent at, stepping back takes arrows away,
the heartbeat switch and the language apply, and a long run shows only the newest."""

import json

from helpers import SCREENSHOT_DIR, check, load, play_until, scrub_to, step_count

ARROW = "[data-testid='seq-arrow']"


def wait_step(page, n):
    page.wait_for_function(f"document.querySelector('#step-count').textContent.trim() === '{n}'")


def step_to(page, n):
    while step_count(page) < n:
        before = step_count(page)
        page.click("#step-btn")
        wait_step(page, before + 1)


def arrows(page):
    """Each arrow's data: `(msg_id, kind, from, to, send_step, fate)`, in the diagram's order."""
    return [tuple(a) for a in page.evaluate(f"""[...document.querySelectorAll("{ARROW}")].map(a => [
        Number(a.dataset.msgId), a.dataset.kind, Number(a.dataset.from), Number(a.dataset.to),
        Number(a.dataset.sendStep), a.dataset.fate])""")]


def trace_sends(page, name, steps):
    """`(msg_id, kind, from, to, step)` of every `send` in the first `steps` steps of the
    run the page shows, from the same simulator's trace (`window.ensembleTrace`)."""
    seed = int(page.input_value("#seed-input"))
    text = page.evaluate("([n, s, k]) => window.ensembleTrace(n, s, k)", [name, seed, steps])
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [(l["event"]["msg_id"], l["event"]["msg"]["type"], l["event"]["from"], l["event"]["to"], l["step"])
            for l in lines if l["event"]["type"] == "send"]


def test_sequence_diagram_shows_the_trace(page, ctx):
    """paxos-basic, six steps in: an arrow per message the trace sent, from its sender to
    its receiver; those not yet arrived are the ones in flight in the cluster."""
    load(page, "paxos-basic")
    check(page.locator(ARROW).count() == 0, "no arrows before the first step")
    step_to(page, 6)
    shown = arrows(page)
    sends = trace_sends(page, "paxos-basic", 6)
    check([a[:5] for a in shown] == sends, f"the arrows are the trace's messages: {shown} vs {sends}")
    prepares = [(a[2], a[3]) for a in shown if a[1] == "Prepare"]
    check(sorted(prepares) == [(1, 1), (1, 2), (1, 3)], f"node 1's Prepare goes to every node ({prepares})")
    flying = sorted(a[0] for a in shown if a[5] == "in-flight")
    dots = sorted(int(d.split("-")[1]) for d in page.evaluate(
        "[...document.querySelectorAll('.cluster .msg-dot')].map(d => d.dataset.testid)"))
    check(flying == dots, f"dashed arrows are the messages in flight ({flying} vs {dots})")
    check(page.locator(".seq-shape.msg-prepare").count() >= 2, "arrows take their kind's colour class")
    label = page.get_attribute(f"{ARROW}[data-msg-id='2']", "aria-label")
    check("Prepare" in label and "sent at step 1" in label and "delivered at step 4" in label, f"its label ({label!r})")
    check(page.locator("[data-testid='seq-now']").count() == 1, "now is marked")
    page.locator("[data-testid='sequence']").screenshot(path=f"{SCREENSHOT_DIR}/sequence.png")


def test_an_arrow_seeks_to_its_step(page, ctx):
    """A click on an arrow goes to the step its message was sent at; stepping back takes
    the newest arrows away; by keyboard, ↑ walks the arrows and Enter seeks."""
    load(page, "paxos-basic")
    step_to(page, 6)
    page.click(f"{ARROW}[data-msg-id='5']")
    wait_step(page, 4)
    check([a[0] for a in arrows(page)] == [1, 2, 3, 4, 5], f"at step 4, messages 1-5 ({arrows(page)})")
    page.click("#back-btn")
    wait_step(page, 3)
    check(page.locator(ARROW).count() == 4, "a step back takes the newest arrow away")
    step_to(page, 6)
    page.focus(f"{ARROW}[tabindex='0']")
    check(page.evaluate("document.activeElement.dataset.msgId") == "9", "Tab reaches the newest arrow")
    for _ in range(5):
        page.keyboard.press("ArrowUp")
    check(page.evaluate("document.activeElement.dataset.msgId") == "4", "↑ walks back through the arrows")
    page.keyboard.press("Enter")
    wait_step(page, 2)


def test_sequence_in_chinese_and_on_a_phone(page, ctx):
    load(page, "paxos-basic")
    step_to(page, 4)
    page.click("#lang-btn")
    page.wait_for_function("document.querySelector('#sequence-title').textContent === '时序图'")
    label = page.get_attribute(f"{ARROW}[data-msg-id='2']", "aria-label")
    check("第 1 步发送" in label and "第 4 步送达" in label, f"an arrow's label in Chinese ({label!r})")
    page.click("#lang-btn")
    page.wait_for_function("document.querySelector('#sequence-title').textContent === 'Sequence diagram'")
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.wait_for_timeout(200)
        width = page.evaluate("document.documentElement.scrollWidth")
        check(width <= 392, f"the diagram keeps the page from scrolling sideways ({width}px)")
        page.locator("[data-testid='sequence']").scroll_into_view_if_needed()
        page.screenshot(path=f"{SCREENSHOT_DIR}/sequence-mobile.png")
    finally:
        page.set_viewport_size({"width": 1366, "height": 900})


def test_zab_votes_and_heartbeats(page, ctx):
    """zab-election-fresh: the servers' first NOTIFICATIONs (sent as they start, step 0)
    and the ones that follow; the heartbeat switch is the log's."""
    load(page, "zab-election-fresh")
    step_to(page, 3)
    shown = arrows(page)
    votes = [a for a in shown if a[1] == "NOTIFICATION"]
    check(len(votes) == len(shown) and len(votes) >= 8, f"the election's NOTIFICATIONs ({shown})")
    check(sum(1 for a in votes if a[4] == 0) == 6, "each server's first votes, sent as it starts")
    sends = trace_sends(page, "zab-election-fresh", 3)
    check([a[:5] for a in shown if a[4] > 0] == sends, "the rest are the trace's sends")
    play_until(page, "document.querySelector(\"[data-testid='seq-arrow'][data-kind='PING']\") !== null")
    page.check("[data-testid='seq-hide-heartbeats']")
    page.wait_for_function("document.querySelector(\"[data-testid='seq-arrow'][data-kind='PING']\") === null")
    check(page.is_checked("[data-testid='hide-heartbeats']"), "the log's switch is the same switch")
    check(page.locator(ARROW).count() > 5, "the other messages stay")
    page.uncheck("[data-testid='hide-heartbeats']")
    page.wait_for_selector(f"{ARROW}[data-kind='PING']")


def test_a_long_run_shows_the_newest(page, ctx):
    """paxos-livelock sends thousands of messages: the diagram draws the newest 200 and
    counts the rest, at the end of a long run too."""
    load(page, "paxos-livelock")
    play_until(page, "document.querySelector(\"[data-testid='seq-earlier']\") !== null")
    check(page.locator(ARROW).count() == 200, "a long run draws the newest 200 messages")
    earlier = page.inner_text("[data-testid='seq-earlier']")
    check(earlier.startswith("+") and "earlier" in earlier, f"and says how many it left out ({earlier!r})")
    page.wait_for_function("Number(document.querySelector('#scrubber').max) >= 2000", timeout=30_000)
    scrub_to(page, 2000)
    wait_step(page, 2000)
    check(page.locator(ARROW).count() == 200, "still 200 at step 2000")
    left_out = int(page.inner_text("[data-testid='seq-earlier']").split()[0].lstrip("+"))
    sent = len(trace_sends(page, "paxos-livelock", 2000))
    check(left_out + 200 == sent, f"the shown and the left out are all {sent} sent ({left_out} + 200)")


SEQUENCE_TESTS = [test_sequence_diagram_shows_the_trace, test_an_arrow_seeks_to_its_step,
                  test_sequence_in_chinese_and_on_a_phone, test_zab_votes_and_heartbeats,
                  test_a_long_run_shows_the_newest]

"""Browser tests of the timeline's milestones and the keys and taps around them (issue 14
items 9, 10 and 17): marks under the scrubber, next/previous milestone by button and by
key, a heartbeat filter for the log, crash and restart of the selected node by key, and a
message's details on a tap."""

from helpers import card, check, load, play_until, step_count


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


TIMELINE_TESTS = [test_milestones_are_marked_and_walked, test_heartbeats_can_be_hidden,
                  test_crash_and_restart_the_selected_node_by_key, test_message_details_on_tap]

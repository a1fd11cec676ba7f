"""Browser tests of the lessons issue 14 found wrong (items 1-3): the P2c adoption shows in
`paxos-competing-proposers`; crashing the leader of `zab-election-epoch` breaks nothing,
wherever it happens; a dropped COMMIT breaks the link, and the follower re-syncs to the
same tree."""

from helpers import card, check, load, play_until, run_to_end, step_count


def leader(page):
    leading = [n for n in (1, 2, 3) if card(page, n, "state") == "LEADING"]
    return leading[0] if leading else None


def test_p2c_adoption_is_shown(page, ctx):
    load(page, "paxos-competing-proposers")
    line = "#event-log .log-line[data-kind='proposing'][data-node='3']"
    play_until(page, f"document.querySelector(\"{line}\")")
    text = page.inner_text(line)
    check("P2c" in text and "A" in text, f"node 3 must propose A (rule P2c): {text!r}")
    run_to_end(page)
    check(page.inner_text("#violations").strip() == "0", "no invariant is violated")


def test_crashing_the_leader_anywhere_breaks_nothing(page, ctx):
    """At the first step a server leads, and 40 steps later, crash it; the run plays on
    to a new leader with no violation."""
    for extra in (0, 40):
        load(page, "zab-election-epoch")
        play_until(page, "[...document.querySelectorAll(\"[data-testid$='-state']\")].some(e => e.textContent === 'LEADING')")
        for _ in range(extra):
            page.keyboard.press("ArrowRight")
        old = leader(page)
        if old is None:
            continue
        at = step_count(page)
        page.click(f"[data-testid='toggle-node-{old}']")
        page.wait_for_function(f"Number(document.querySelector('#step-count').textContent) > {at}")
        run_to_end(page, timeout=60_000)
        check(page.inner_text("#violations").strip() == "0", f"crashing leader {old} at step {at} breaks nothing")
        check(leader(page) not in (None, old), f"after crashing leader {old} at step {at}, another server leads")


def test_dropped_commit_resyncs(page, ctx):
    """Dropping a COMMIT breaks the leader's link to that follower (ZAB runs over TCP):
    the follower notices, re-syncs, and ends with the same tree as everyone."""
    load(page, "zab-leader-crash")
    commit = "[...document.querySelectorAll('#in-flight .msg-row')].find(r => r.innerText.includes('COMMIT'))"
    # Step (not play) to the first COMMIT on the wire, so it is still there to drop.
    for _ in range(600):
        if page.evaluate(f"{commit} !== undefined"):
            break
        page.keyboard.press("ArrowRight")
    check(page.evaluate(f"{commit} !== undefined"), "a COMMIT is on the wire")
    drop = page.evaluate(f"{commit}.querySelector(\"[data-testid^='drop-']\").dataset.testid")
    page.click(f"[data-testid='{drop}']")
    lost = "#event-log .log-line[data-kind='leader_lost'], #event-log .log-line[data-kind='learner_lost']"
    play_until(page, f"document.querySelector(\"{lost}\")")
    run_to_end(page, timeout=60_000)
    check(page.inner_text("#violations").strip() == "0", "no invariant is violated")
    up = [n for n in (1, 2, 3) if card(page, n, "state") != "CRASHED"]
    digests = {card(page, n, "digest") for n in up}
    check(len(digests) == 1, f"every server up has the same tree at the end ({digests})")


LESSON_TESTS = [test_p2c_adoption_is_shown, test_crashing_the_leader_anywhere_breaks_nothing,
                test_dropped_commit_resyncs]

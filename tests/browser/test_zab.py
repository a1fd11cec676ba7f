"""Browser tests of ZAB servers, client operations, buggy modes and partitions.

Run by `test_web.py`, in order, on its page.
"""

from helpers import SCREENSHOT_DIR, card, check, check_phone_layout, load, log_text, play_until, run_to_end, step_count


def test_zab_election_fresh(page, ctx):
    load(page, "zab-election-fresh")
    check(page.locator("#client-op").count() == 1, "a ZAB scenario offers the client operation form")
    check(page.locator("#request-value").count() == 0, "... instead of the Paxos value form")
    check(page.locator("#buggy-select option").count() == 4, "ZAB offers its buggy modes")
    run_to_end(page)
    check(card(page, 3, "state") == "LEADING", f"node 3 is LEADING, got {card(page, 3, 'state')}")
    for n in (1, 2):
        check(card(page, n, "state") == "FOLLOWING", f"node {n} is FOLLOWING, got {card(page, n, 'state')}")
    for n in (1, 2, 3):
        check("BROADCAST" in card(page, n, "phase"), f"node {n} shows the phase BROADCAST")
        check(card(page, n, "zxid").startswith("0x"), f"node {n} shows its last zxid in hex")
    check(card(page, 1, "zxid") != "0x0", "the scheduled writes were logged")
    check(card(page, 1, "delivered") == card(page, 3, "delivered"), "followers delivered what the leader did")
    check("0x1000000" in card(page, 3), "the leader's log lists zxids of epoch 1")
    check("node 3" in page.inner_text("#leaders").lower(), "the summary names the leader of epoch 1")
    check(page.inner_text("#violations").strip() == "0", "no invariant is violated")
    page.click("#lang-btn")
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")
    check(card(page, 3, "state") == "LEADING", "state names stay as ZooKeeper writes them in Chinese")
    check("纪元" in card(page, 3), "the node card speaks Chinese")
    page.click("#lang-btn")
    page.wait_for_function("document.documentElement.lang === 'en'")
    check_phone_layout(page, f"{SCREENSHOT_DIR}/screenshot-zab-mobile.png")


def test_zab_client_request(page, ctx):
    load(page, "zab-election-fresh")
    play_until(page, "document.querySelector(\"#event-log .log-line[data-kind='leader_established']\")", 20_000)
    check(step_count(page) > 0, "the leader was established")
    page.select_option("#client-node", "1")
    page.select_option("#client-op", "connect")
    before = step_count(page)
    page.click("#client-send")
    page.wait_for_function(f"document.querySelector('#step-count').textContent.trim() === '{before + 1}'")
    replies = "#event-log .log-line[data-kind='reply'][data-node='1']"

    def step_until_replies(n):
        for _ in range(60):
            if page.locator(replies).count() >= n:
                break
            page.click("#step-btn")
        check(page.locator(replies).count() >= n, f"node 1 answered {n} request(s)")

    # A create sent before the session is open is refused (SessionExpired): where the
    # player paused decides how far the connect got, so wait for its answer.
    step_until_replies(1)
    check("session 0x" in page.inner_text(replies), "node 1 opened the session")
    page.select_option("#client-op", "create")
    page.fill("#client-path", "/x")
    page.fill("#client-data", "hello")
    check(page.locator("#client-ephemeral").count() == 1, "create offers the ephemeral flag")
    before = step_count(page)
    page.click("#client-send")
    page.wait_for_function(f"document.querySelector('#step-count').textContent.trim() === '{before + 1}'")
    check("/x" in log_text(page), "the create request is narrated")
    step_until_replies(2)
    # The card folds a log longer than a few rows; its text is there, folded or not.
    node_log = page.text_content("[data-testid='node-1'] .node-log") or ""
    check("create" in node_log, f"node 1's log holds the create ({node_log!r})")


def test_zab_leader_crash(page, ctx):
    load(page, "zab-leader-crash")
    page.select_option("#speed-select", "50")
    page.click("#play-btn")
    # The narrated log keeps the latest lines only: catch the new leader's line as it comes.
    established = "#event-log .log-line[data-kind='leader_established']:not([data-node='3'])"
    page.wait_for_selector(established, timeout=30_000)
    narration = page.inner_text(established)
    page.click("#play-btn")
    check("epoch 2" in narration.lower(), f"the narration tells of epoch 2: {narration!r}")
    run_to_end(page)
    leading = [n for n in (1, 2, 3) if card(page, n, "state") == "LEADING"]
    check(leading and 3 not in leading, f"a node other than 3 leads at the end (leading: {leading})")
    new_leader = leading[0]
    check(card(page, new_leader, "epoch") == "2", f"node {new_leader}'s current epoch is 2")
    check(f"node {new_leader}" in page.inner_text("#leaders").lower(), "the summary names the new leader")
    check(page.inner_text("#violations").strip() == "0", "no invariant is violated")


def test_zab_buggy_link(page, ctx):
    page.goto(ctx.url + "/#scenario=zab-leader-crash&seed=5&buggy=skip-trunc")
    page.reload()
    page.wait_for_function("window.ensembleReady === true")
    check(page.input_value("#scenario-select") == "zab-leader-crash", "the link picks the ZAB scenario")
    check(page.input_value("#buggy-select") == "skip-trunc", "the link sets the buggy mode")
    load(page, "paxos-basic")
    page.select_option("#buggy-select", "forgetful-acceptor")
    page.click("#load-btn")
    page.wait_for_function("location.hash.includes('buggy=forgetful-acceptor')")
    check(page.input_value("#buggy-select") == "forgetful-acceptor", "Paxos offers its buggy modes")


def test_partition_drawn(page, ctx):
    load(page, "paxos-minority-partition")
    check(page.locator("#partition").count() == 0, "no partition before it starts")
    page.click("#step-btn")
    page.wait_for_selector("#partition")
    text = page.inner_text("#partition")
    check("{1, 2, 3}" in text and "{4, 5}" in text, f"the groups are listed: {text!r}")
    check(page.locator(".cluster line.edge.cut").count() == 6, "the six links across the cut are drawn cut")


ZAB_TESTS = [test_zab_election_fresh, test_zab_client_request, test_zab_leader_crash, test_zab_buggy_link,
             test_partition_drawn]

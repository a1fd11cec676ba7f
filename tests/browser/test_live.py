"""Browser tests of live mode: the page watches the real ensemble `ensemble demo` runs
(three ZAB servers on loopback, started by run.sh's demo), writes to it, crashes and
restarts its leader.

Run by `test_web.py`, in order, on its page. Every wait is bounded.
"""

from helpers import SCREENSHOT_DIR, check, check_phone_layout

NODES = (1, 2, 3)
# The states of the three live cards, as their state tags read.
STATES_JS = """() => [1, 2, 3].map(n => {
    const tag = document.querySelector(`#live-card-${n} [data-testid='node-${n}-state']`);
    return tag ? tag.textContent.trim() : null;
})"""
# Every live message dot's kind seen since `window.liveDots` was reset, frame by frame.
WATCH_DOTS_JS = """() => {
    window.liveDots = new Set();
    const look = () => {
        document.querySelectorAll('.cluster .messages circle.msg').forEach(c =>
            c.classList.forEach(k => k.startsWith('msg-') && window.liveDots.add(k.slice(4))));
        window.liveDotsFrame = requestAnimationFrame(look);
    };
    look();
}"""


def states(page):
    return page.evaluate(STATES_JS)


def live_card(page, node, field):
    return page.inner_text(f"#live-card-{node} [data-testid='node-{node}-{field}']").strip()


def wait_settled(page, timeout=15_000):
    """Until exactly one node leads, every other follows, and all are in BROADCAST."""
    page.wait_for_function(
        f"""() => {{
            const s = ({STATES_JS})();
            const phases = [1, 2, 3].map(n => document.querySelector(`[data-testid='node-${{n}}-phase']`));
            return s.filter(x => x === 'LEADING').length === 1 && s.filter(x => x === 'FOLLOWING').length === 2
                && phases.every(p => p && p.textContent.includes('BROADCAST'));
        }}""",
        timeout=timeout,
    )
    return states(page).index("LEADING") + 1


def test_live_switch(page, ctx):
    page.goto(ctx.url)
    page.wait_for_function("window.ensembleReady === true", timeout=20_000)
    page.wait_for_selector("#mode-live", timeout=10_000)
    check(page.get_attribute("#mode-sim", "aria-pressed") == "true", "the page opens on the simulator")
    page.click("#mode-live")
    check(page.get_attribute("#mode-live", "aria-pressed") == "true", "Live is pressed")
    check(page.locator("#scenario-select").count() == 0, "live mode hides the scenario picker")
    page.wait_for_selector("#live-card-3", timeout=10_000)
    check(page.locator(".cluster g.node").count() == 3, "the cluster draws three real nodes")
    leader = wait_settled(page)
    for n in NODES:
        check(live_card(page, n, "zxid").startswith("0x"), f"node {n} shows its last zxid")
        check(live_card(page, n, "leader") == str(leader), f"node {n} names node {leader} its leader")
    check(f"{leader}" in page.inner_text("#live-leader"), "the summary names the leader")
    ctx.live_leader = leader


def test_live_write(page, ctx):
    page.select_option("#live-client-node", "1")
    page.select_option("#live-client-op", "create")
    page.fill("#live-client-path", "/live-test")
    page.fill("#live-client-data", "hello")
    page.evaluate(WATCH_DOTS_JS)
    page.click("#live-client-send")
    page.wait_for_selector("#live-client-reply[data-ok='true']", timeout=10_000)
    reply = page.inner_text("#live-client-reply")
    check("/live-test" in reply, f"the create's reply names the node it created: {reply!r}")
    page.wait_for_selector("#event-log .log-line[data-kind='proposed']", timeout=5_000)
    page.wait_for_selector("#event-log .log-line[data-kind='committed']", timeout=5_000)
    check("/live-test" in page.inner_text("#event-log"), "the log tells of the write")
    page.wait_for_timeout(300)
    dots = page.evaluate("() => { cancelAnimationFrame(window.liveDotsFrame); return [...window.liveDots]; }")
    check({"proposal", "ack", "commit"} & set(dots), f"the write's messages crossed the cluster (saw {dots})")
    page.select_option("#live-client-op", "get")
    check(page.locator("#live-client-data").count() == 0, "get takes no data")
    page.click("#live-client-send")
    page.wait_for_function("document.querySelector('#live-client-reply').textContent.includes('hello')", timeout=10_000)
    page.wait_for_function("document.querySelector(\"[data-testid='node-1-znodes']\").textContent.trim() !== '1'",
                           timeout=5_000)


def test_live_crash_leader(page, ctx):
    old = wait_settled(page)
    old_epoch = int(live_card(page, old, "epoch"))
    page.click(f"#live-crash-{old}")
    page.wait_for_function(f"document.querySelector(\"[data-testid='node-{old}-state']\").textContent.trim() === 'CRASHED'",
                           timeout=5_000)
    check("state-down" in page.get_attribute(f"#live-card-{old}", "class"), "the crashed node's card looks crashed")
    check(page.is_enabled(f"#live-restart-{old}") and not page.is_enabled(f"#live-crash-{old}"),
          "a crashed node offers Restart, not Crash")
    page.wait_for_function(
        f"() => ({STATES_JS})().some((s, i) => s === 'LEADING' && i + 1 !== {old})", timeout=10_000)
    new = states(page).index("LEADING") + 1
    check(new != old, "another node leads")
    page.wait_for_function(f"document.querySelector(\"[data-testid='node-{new}-epoch']\").textContent.trim() !== '{old_epoch}'",
                           timeout=5_000)
    check(int(live_card(page, new, "epoch")) > old_epoch, "the new leader leads a later epoch")
    check(page.locator(f"#event-log .log-line[data-kind='note'][data-node='{old}']").count() >= 1,
          "the log notes the crash")
    page.click(f"#live-restart-{old}")
    page.wait_for_function(f"document.querySelector(\"[data-testid='node-{old}-state']\").textContent.trim() === 'FOLLOWING'",
                           timeout=10_000)
    check(wait_settled(page) == new, f"node {old} came back following node {new}")
    page.wait_for_selector("#event-log .log-line[data-kind='leader_established']", timeout=5_000)


def test_live_chinese(page, ctx):
    page.click("#lang-btn")
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")
    check(page.inner_text("#mode-live").strip() == "实时", "the switch speaks Chinese")
    check(page.inner_text("#mode-sim").strip() == "模拟器", "... on both buttons")
    check(page.inner_text("#live-title").strip() == "真实的集群", "the live heading speaks Chinese")
    check(page.inner_text("#live-crash-1").strip() == "崩溃", "Crash is translated")
    check("领导者" in page.inner_text("#live-summary"), "the summary speaks Chinese")
    check("节点" in page.inner_text("#event-log"), "the live log is narrated in Chinese")
    check("LEADING" in states(page), "state names stay as ZooKeeper writes them")
    page.screenshot(path=f"{SCREENSHOT_DIR}/screenshot-live-zh.png", full_page=True)
    page.click("#lang-btn")
    page.wait_for_function("document.documentElement.lang === 'en'")
    check(page.inner_text("#mode-live").strip() == "Live", "and back to English")


def test_live_layout_and_back(page, ctx):
    page.screenshot(path=f"{SCREENSHOT_DIR}/screenshot-live.png", full_page=True)
    check_phone_layout(page, f"{SCREENSHOT_DIR}/screenshot-live-mobile.png")
    page.click("#mode-sim")
    page.wait_for_selector("#scenario-select", timeout=5_000)
    check(page.locator("#live-card-1").count() == 0, "the simulator is back, live cards gone")
    page.click("#step-btn")
    page.wait_for_function("document.querySelector('#step-count').textContent.trim() === '1'")


LIVE_TESTS = [test_live_switch, test_live_write, test_live_crash_leader, test_live_chinese, test_live_layout_and_back]

"""Browser tests of ZAB's own panels: the selected server's FLE vote table and its znode
tree inspector, with what differs from the other servers marked.

Run by `test_web.py`, in order, on its page.
"""

from helpers import SCREENSHOT_DIR, check, check_phone_layout, load, play_until, step_count

KEPT = "#event-log .log-line[data-kind='vote_kept'][data-node='{n}']"


def row_text(page, node):
    return page.inner_text(f"[data-testid='vote-row-{node}']")


def test_vote_table_matches_the_narration(page, ctx):
    """Node 2 keeps its vote against node 1's: the table lists both with the tuples the
    narration names, and says the id decides."""
    load(page, "zab-election-fresh")
    kept = KEPT.format(n=2)
    for _ in range(200):
        if page.locator(kept).count() > 0:
            break
        page.keyboard.press("ArrowRight")
    check(page.locator(kept).count() > 0, "node 2 received a vote that is not better than its own")
    said = page.inner_text(kept)
    page.keyboard.press("2")
    page.wait_for_selector("[data-testid='inspect-2'][aria-pressed='true']")
    check("node 2" in page.inner_text("#votes-title").lower(), "the vote table shows the selected node 2")
    held = page.inner_text("[data-testid='held-vote']")
    check(held == "(epoch 0, zxid 0x0, server 2)", f"node 2 holds its own vote ({held})")
    check(f"keeps its vote {held}" in said, f"the narration says node 2 keeps {held}: {said!r}")
    theirs = page.get_attribute("[data-testid='vote-row-1']", "data-tuple")
    check(f"node 1's vote {theirs}" in said, f"node 1's vote {theirs} is the one narrated: {said!r}")
    check("the id decides" in said, "the narration says the id decides")
    check("lower id" in row_text(page, 1), f"the table says node 1's vote has the lower id ({row_text(page, 1)!r})")
    check("same" in row_text(page, 2), "node 2's own vote is the one it holds")
    for cell in ("0", "0x0", "1"):
        check(cell in row_text(page, 1).split("\t"), f"node 1's row shows {cell} ({row_text(page, 1)!r})")
    page.screenshot(path=f"{SCREENSHOT_DIR}/vote-table.png", full_page=True)
    page.click("#lang-btn")
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")
    check("id更低" in row_text(page, 1), "the verdict speaks Chinese")
    page.click("#lang-btn")
    page.wait_for_function("document.documentElement.lang === 'en'")


def znode(path):
    return f"[data-testid='znode-tree'] li.znode[data-path='{path}']"


def stat(page, path, field):
    return page.inner_text(f"{znode(path)} [data-field='{field}'] dd").strip()


def test_tree_shows_a_created_znode(page, ctx):
    """After the scheduled create of /config, every server's tree shows it with its data
    and mzxid, and no difference once all delivered it."""
    load(page, "zab-election-fresh")
    page.click("[data-testid='inspect-1']")
    play_until(page, f"document.querySelector(\"{znode('/config')}\")")
    data = page.inner_text(f"{znode('/config')} [data-testid='znode-data']")
    check(data == '"v1"', f"/config holds v1 ({data})")
    mzxid = stat(page, "/config", "mzxid")
    check(mzxid.startswith("0x1000000"), f"mzxid is a zxid of epoch 1 ({mzxid})")
    check(stat(page, "/config", "czxid") == mzxid, "a fresh znode was created and last changed by one txn")
    check(stat(page, "/config", "ephemeralOwner") == "0x0", "/config is not ephemeral")
    narrated = page.inner_text("#event-log")
    check(mzxid in narrated, f"the narration names the create's zxid {mzxid}")
    # Once the others have delivered it too, nothing is marked.
    play_until(page, "document.querySelectorAll(\"[data-testid='znode-tree'] li.differs, [data-testid='znode-tree'] li.missing\").length === 0")
    page.screenshot(path=f"{SCREENSHOT_DIR}/znode-tree.png", full_page=True)
    check_phone_layout(page, f"{SCREENSHOT_DIR}/znode-tree-mobile.png")


def test_tree_marks_a_server_that_is_behind(page, ctx):
    """Server 1 is down while the others commit writes: the leader's tree marks each new
    znode as not on node 1, and server 1's tree marks them missing."""
    load(page, "zab-follower-far-behind")
    page.click("[data-testid='inspect-3']")
    play_until(page, f"document.querySelector(\"{znode('/k5')}\")")
    check(step_count(page) > 0, "the run went on")
    k1 = page.locator(znode("/k1"))
    check("differs" in (k1.get_attribute("class") or ""), "/k1 is marked as differing on the leader")
    check("not on node 1" in k1.inner_text(), f"the marker says node 1 lacks /k1 ({k1.inner_text()!r})")
    described = k1.get_attribute("aria-describedby")
    check(described and page.locator(f"[id='{described}']").count() == 1, "the marker describes the znode (ARIA)")
    page.keyboard.press("1")
    page.wait_for_selector("[data-testid='inspect-1'][aria-pressed='true']")
    k1 = page.locator(znode("/k1"))
    check("missing" in (k1.get_attribute("class") or ""), "on server 1, /k1 is marked missing")
    check("missing here" in k1.inner_text(), f"... in words ({k1.inner_text()!r})")
    page.screenshot(path=f"{SCREENSHOT_DIR}/znode-tree-behind.png", full_page=True)


ZAB_PANEL_TESTS = [test_vote_table_matches_the_narration, test_tree_shows_a_created_znode,
                   test_tree_marks_a_server_that_is_behind]

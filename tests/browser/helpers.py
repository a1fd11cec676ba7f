"""Helpers shared by the browser tests (`test_web.py`, `test_zab.py`, `test_live.py`)."""

SCREENSHOT_DIR = "target/browser"


def step_count(page):
    return int(page.inner_text("#step-count").strip())


def log_text(page):
    return page.inner_text("#event-log")


def log_lines(page):
    return page.locator("#event-log .log-line").count()


def load(page, name, seed=None):
    page.select_option("#scenario-select", name)
    if seed is not None:
        page.fill("#seed-input", str(seed))
    page.click("#load-btn")
    page.wait_for_function("document.querySelector('#step-count').textContent.trim() === '0'")


def run_to_end(page, timeout=40_000):
    """Play at the fastest speed until the run reaches its end, then check it stopped."""
    page.select_option("#speed-select", "50")
    page.click("#play-btn")
    page.wait_for_selector(".summary .stat.end", timeout=timeout)
    page.wait_for_function("document.querySelector('#play-btn').getAttribute('aria-pressed') === 'false'")
    steps = step_count(page)
    page.wait_for_timeout(200)
    check(step_count(page) == steps, "the player stops at the end of the run")


def play_until(page, condition, timeout=30_000):
    """Play at the fastest speed until the JavaScript `condition` holds, then pause."""
    page.select_option("#speed-select", "50")
    page.click("#play-btn")
    page.wait_for_function(condition, timeout=timeout)
    # It may have paused by itself (at a violation, or at the end).
    if page.get_attribute("#play-btn", "aria-pressed") == "true":
        page.click("#play-btn")
    page.wait_for_function("document.querySelector('#play-btn').getAttribute('aria-pressed') === 'false'")


def scrub_to(page, step):
    """Drag the timeline's scrubber to `step` (as an `input` event, like a drag does)."""
    page.evaluate("""(step) => {
        const s = document.querySelector('#scrubber');
        s.value = String(step);
        s.dispatchEvent(new Event('input', { bubbles: true }));
    }""", step)


def card(page, node, field=None):
    testid = f"node-{node}" if field is None else f"node-{node}-{field}"
    return page.inner_text(f"[data-testid='{testid}']").strip()


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def check_phone_layout(page, screenshot):
    """At phone width the page must not scroll sideways; leaves a screenshot."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=screenshot, full_page=False)
    page.set_viewport_size({"width": 1366, "height": 900})
    check(width <= 392, f"no horizontal scrolling on a phone (page is {width}px wide)")

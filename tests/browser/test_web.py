#!/usr/bin/env python3
"""Browser test of Ensemble's web app (Playwright, headless Chromium).

Usage:
    python tests/browser/test_web.py --url http://127.0.0.1:PORT --ensemble target/debug/ensemble

It drives the page like a learner would (load, step, step back, language, play,
interventions), watches the demo's real ensemble in live mode (`test_live.py`), then
checks that the simulator compiled to wasm produces the same JSON Lines trace, byte for
byte, as the native `ensemble sim`.
Prints `N passed, M failed` last; exits 1 on any failure.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import traceback

from helpers import SCREENSHOT_DIR, check, check_phone_layout, load, log_lines, log_text, step_count
from playwright.sync_api import sync_playwright
from test_learner import LEARNER_TESTS
from test_live import LIVE_TESTS
from test_lessons import LESSON_TESTS
from test_sequence import SEQUENCE_TESTS
from test_timeline import TIMELINE_TESTS
from test_zab_panels import ZAB_PANEL_TESTS
from test_zab import ZAB_TESTS

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
DETERMINISM_RUNS = [("paxos-livelock", 3, 400), ("multipaxos-leader-crash", 9, 400), ("zab-leader-crash", 22, 300)]


def fnv1a(text):
    """The same FNV-1a fingerprint as `ensemble_core::sim::fingerprint`."""
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---- the tests, run in order on one page ----

def test_page_ready(page, ctx):
    page.goto(ctx.url)
    page.wait_for_function("window.ensembleReady === true", timeout=20_000)
    check(page.locator("#scenario-select option").count() >= 10, "the picker lists the built-in scenarios")
    check(page.evaluate("typeof window.ensembleTrace") == "function", "window.ensembleTrace is a function")


def test_step_five(page, ctx):
    load(page, "paxos-basic")
    check(step_count(page) == 0, "a fresh load is at step 0")
    before = log_lines(page)
    for _ in range(5):
        page.click("#step-btn")
    page.wait_for_function("document.querySelector('#step-count').textContent.trim() === '5'")
    check(step_count(page) == 5, f"#step-count is 5, got {step_count(page)}")
    after = log_lines(page)
    check(after > before, f"the event log grew ({before} -> {after} lines)")
    ctx.log_at_5 = log_text(page)


def test_exact_step_back(page, ctx):
    page.click("#step-btn")
    page.wait_for_function("document.querySelector('#step-count').textContent.trim() === '6'")
    check(log_text(page) != ctx.log_at_5, "step 6 adds narration")
    page.click("#back-btn")
    page.wait_for_function("document.querySelector('#step-count').textContent.trim() === '5'")
    check(step_count(page) == 5, "back to step 5")
    check(log_text(page) == ctx.log_at_5, "the log after stepping back equals the log at step 5")


def test_keyboard(page, ctx):
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('#step-count').textContent.trim() === '6'")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.querySelector('#step-count').textContent.trim() === '5'")
    check(log_text(page) == ctx.log_at_5, "→ then ← returns to the same log")


def test_language(page, ctx):
    page.click("#lang-btn")
    page.wait_for_function("document.querySelector('#event-log').innerText.includes('节点')")
    check("节点" in log_text(page), "the narration is in Chinese")
    check(page.inner_text("#lang-btn").strip() == "English", "the toggle now offers English")
    page.click("#lang-btn")
    page.wait_for_function("!document.querySelector('#event-log').innerText.includes('节点')")
    check(log_text(page) == ctx.log_at_5, "switching back restores the English log")


def test_interventions(page, ctx):
    before = step_count(page)
    drop = page.locator("[data-testid^='drop-']").first
    check(drop.count() == 1, "an in-flight message offers Drop")
    drop.click()
    page.wait_for_function(f"document.querySelector('#step-count').textContent.trim() === '{before + 1}'")
    check("drop" in log_text(page).lower(), "the drop is narrated")
    page.click("[data-testid='toggle-node-3']")
    page.wait_for_function(f"document.querySelector('#step-count').textContent.trim() === '{before + 2}'")
    check("crash" in page.inner_text("[data-testid='node-3']").lower(), "node 3 shows as crashed")
    page.click("[data-testid='toggle-node-3']")
    page.wait_for_function(f"document.querySelector('#step-count').textContent.trim() === '{before + 3}'")
    page.fill("#request-value", "Z")
    page.click("#request-btn")
    page.wait_for_function(f"document.querySelector('#step-count').textContent.trim() === '{before + 4}'")
    check('"Z"' in log_text(page), "the client request is narrated")


def test_play_pause(page, ctx):
    load(page, "multipaxos-leader-crash")
    page.select_option("#speed-select", "25")
    page.click("#play-btn")
    page.wait_for_timeout(1500)
    page.click("#play-btn")
    steps = step_count(page)
    page.wait_for_timeout(400)
    check(steps > 5, f"playing advanced the run ({steps} steps)")
    check(step_count(page) == steps, "pausing stops the run")
    check(page.inner_text("#violations").strip() == "0", "no invariant is violated")
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    page.screenshot(path=f"{SCREENSHOT_DIR}/screenshot.png", full_page=True)


def test_mobile_layout(page, ctx):
    check_phone_layout(page, f"{SCREENSHOT_DIR}/screenshot-mobile.png")


def test_shared_link(page, ctx):
    page.goto(ctx.url + "/#scenario=paxos-livelock&seed=4&fix=randomized-backoff")
    page.reload()
    page.wait_for_function("window.ensembleReady === true")
    check(page.input_value("#scenario-select") == "paxos-livelock", "the link picks the scenario")
    check(page.input_value("#seed-input") == "4", "the link sets the seed")
    check(page.input_value("#fix-select") == "randomized-backoff", "the link sets the fix")
    page.click("#step-btn")
    page.wait_for_function("document.querySelector('#step-count').textContent.trim() === '1'")


def native_trace(ensemble, name, seed, steps):
    cmd = [ensemble, "sim", "--scenario", name, "--seed", str(seed), "--steps", str(steps), "--trace", "-"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    check(out.returncode in (0, 1), f"{' '.join(cmd)} failed: {out.stderr.strip()}")
    body = out.stdout.rstrip("\n")
    cut = body.rfind("\n")
    # The last line is the JSON summary, not part of the trace.
    return body[: cut + 1] if cut >= 0 else ""


def test_determinism(page, ctx):
    for name, seed, steps in DETERMINISM_RUNS:
        web = page.evaluate("([n, s, k]) => window.ensembleTrace(n, s, k)", [name, seed, steps])
        native = native_trace(ctx.ensemble, name, seed, steps)
        print(f"  {name} seed {seed}, {steps} steps: web fnv {fnv1a(web)} sha256 {sha256(web)[:16]} "
              f"({len(web)} bytes); native fnv {fnv1a(native)} sha256 {sha256(native)[:16]} ({len(native)} bytes)")
        check(len(native) > 0, "the native trace is not empty")
        check(web == native, f"{name}: the wasm trace equals the native trace")


def golden_header(name):
    """(seed, bytes, fnv) of a built-in's golden trace, from `tests/golden/NAME.txt`."""
    path = os.path.join(os.path.dirname(__file__), "..", "golden", f"{name}.txt")
    with open(path, encoding="utf-8") as f:
        first, second = f.readline(), f.readline()
    seed = int(first.rsplit("seed ", 1)[1].rstrip(")\n"))
    size, fnv = second.split("trace: ", 1)[1].split(" bytes, fnv ")
    return seed, int(size), fnv.strip()


def test_determinism_against_golden(page, ctx):
    """Every built-in's whole run in wasm has the fingerprint its golden file records."""
    golden = sorted(f[:-4] for f in os.listdir(os.path.join(os.path.dirname(__file__), "..", "golden")))
    check(len(golden) >= 29, f"golden files found ({len(golden)})")
    for name in golden:
        seed, size, fnv = golden_header(name)
        web = page.evaluate("([n, s]) => window.ensembleTrace(n, s, 0)", [name, seed])
        got = len(web.encode("utf-8"))
        check((got, fnv1a(web)) == (size, fnv), f"{name}: wasm trace {got} bytes fnv {fnv1a(web)}, golden {size} bytes fnv {fnv}")
    print(f"  {len(golden)} built-ins: the wasm traces match their golden fingerprints")


def test_no_page_errors(page, ctx):
    check(not ctx.errors, f"the page raised no errors: {ctx.errors}")


TESTS = [
    test_page_ready, test_step_five, test_exact_step_back, test_keyboard, test_language,
    test_interventions, test_play_pause, test_mobile_layout, test_shared_link, *ZAB_TESTS, *LEARNER_TESTS, *LESSON_TESTS, *TIMELINE_TESTS, *ZAB_PANEL_TESTS, *SEQUENCE_TESTS, *LIVE_TESTS,
    test_determinism, test_determinism_against_golden,
    test_no_page_errors,
]


class Context:
    def __init__(self, url, ensemble):
        self.url = url
        self.ensemble = ensemble
        self.errors = []
        self.log_at_5 = None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--ensemble", default="target/debug/ensemble")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--only", action="append", default=[],
                        help="run only tests whose name contains this (repeatable); test_page_ready always runs")
    args = parser.parse_args()
    tests = [t for t in TESTS if not args.only or t is test_page_ready or any(o in t.__name__ for o in args.only)]
    ctx = Context(args.url, args.ensemble)
    passed = failed = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda e: ctx.errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and ctx.errors.append(m.text))
        for test in tests:
            try:
                test(page, ctx)
                passed += 1
                print(f"ok   {test.__name__}")
            except Exception as e:  # noqa: BLE001 - report every failure, keep going
                failed += 1
                print(f"FAIL {test.__name__}: {e}")
                traceback.print_exc(limit=1, file=sys.stdout)
        browser.close()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

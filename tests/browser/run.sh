#!/usr/bin/env bash
# Run the browser test against the built app (www/dist). Builds nothing.
#   ENSEMBLE  the native binary (default target/debug/ensemble)
#   PYTHON    a Python with Playwright (default ~/.cache/ensemble/venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/../.."

ENSEMBLE="${ENSEMBLE:-target/debug/ensemble}"
PYTHON="${PYTHON:-$HOME/.cache/ensemble/venv/bin/python}"

if [ ! -x "$ENSEMBLE" ]; then
    echo "error: $ENSEMBLE not found; build it with: cargo build -p ensemble-native" >&2
    exit 2
fi
if [ ! -f www/dist/index.html ]; then
    echo "error: www/dist/index.html not found; build the app with: trunk build --release" >&2
    exit 2
fi

PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
URL="http://127.0.0.1:$PORT"
LOG="$(mktemp)"

"$ENSEMBLE" demo --port "$PORT" --dist www/dist >"$LOG" 2>&1 &
SERVER=$!
cleanup() {
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    rm -f "$LOG"
}
trap cleanup EXIT INT TERM

for _ in $(seq 1 80); do
    if curl -fsS -o /dev/null "$URL/"; then
        break
    fi
    if ! kill -0 "$SERVER" 2>/dev/null; then
        echo "error: the demo server exited:" >&2
        cat "$LOG" >&2
        exit 2
    fi
    sleep 0.25
done
if ! curl -fsS -o /dev/null "$URL/"; then
    echo "error: the demo server did not answer at $URL within 20 s" >&2
    cat "$LOG" >&2
    exit 2
fi

status=0
# Extra arguments go to the test runner, e.g. `--only majorities` for one test.
"$PYTHON" tests/browser/test_web.py --url "$URL" --ensemble "$ENSEMBLE" "$@" || status=$?
exit "$status"

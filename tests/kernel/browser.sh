#!/usr/bin/env bash
# Runs the model notebook in headless chromium against Debian's classic Notebook 6 with
# the gopm kernel (built from this checkout and installed in a throwaway prefix), and
# saves a screenshot ($SCREENSHOT, default /tmp/gopm-notebook-browser.png).
# Skips (exit 0) when jupyter-notebook or chromium is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v jupyter-notebook >/dev/null || [ ! -x /usr/bin/chromium ]; then
  echo "browser test skipped: needs Debian's jupyter-notebook and chromium"; exit 0
fi
J=$(mktemp -d)
export JUPYTER_PATH=$J/prefix/share/jupyter JUPYTER_DATA_DIR=$J/data JUPYTER_RUNTIME_DIR=$J/run JUPYTER_CONFIG_DIR=$J/cfg
go build -o "$J/pmrepl" ./cmd/pmrepl
"$J/pmrepl" kernel install --prefix "$J/prefix" >/dev/null
mkdir -p "$J/nb" && cp tests/kernel/testdata/model.ipynb "$J/nb/"
PORT=${NOTEBOOK_PORT:-18888}
jupyter notebook --no-browser --allow-root --ip=127.0.0.1 --port=$PORT --NotebookApp.port_retries=0 \
  --NotebookApp.token=citoken --notebook-dir="$J/nb" > "$J/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true; rm -rf "$J"' EXIT
for i in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/status?token=citoken" && break; sleep 0.1; done
if ! NOTEBOOK_URL="http://127.0.0.1:$PORT/notebooks/model.ipynb?token=citoken" SCREENSHOT=${SCREENSHOT:-/tmp/gopm-notebook-browser.png} \
  go test -count=1 -v -run TestNotebookInBrowser ./tests/kernel/; then
  echo "--- notebook server log"; cat "$J/server.log"; exit 1
fi

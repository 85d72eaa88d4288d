#!/usr/bin/env bash
# Runs the `wandb` repository's own system tests against a Trackbase API built from this checkout.
# Not part of `npm test`. Usage (see README.md beside this file):
#   apps/wandb-compat/system-tests/run.sh <wandb checkout> <venv> [pytest paths...]
# <wandb checkout>: a directory holding wandb's `tests/` and `pyproject.toml` (outside this repository);
# <venv>: a venv with the pinned client (apps/wandb-compat/requirements-new.txt), its test requirements
# and tools/python/trackbase-testing installed. Paths default to the directories docs/wandb.md reports.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
src="$(cd "$1" && pwd)"
venv="$(cd "$2" && pwd)"
shift 2
paths=("$@")
if [ ${#paths[@]} -eq 0 ]; then
  paths=(tests/system_tests/test_core tests/system_tests/test_api tests/system_tests/test_artifacts
    tests/system_tests/test_functional tests/system_tests/test_system_metrics tests/system_tests/test_plot.py)
fi
[ -f "$root/apps/api/dist/apps/api/src/main.js" ] || { echo "build the API first: npx nx run @trackbase/api:build" >&2; exit 1; }
# wandb's fixtures ask `python tools/local_wandb_server.py connect` for the server's ports.
mkdir -p "$src/tools"
ln -sf "$here/trackbase_backend.py" "$src/tools/local_wandb_server.py"
export PATH="$venv/bin:$PATH" TRACKBASE_REPO_ROOT="$root"
export TRACKBASE_WANDB_STATE="${TRACKBASE_WANDB_STATE:-$(mktemp -u /tmp/trackbase-wandb-XXXXXX.json)}"
python "$here/trackbase_backend.py" serve >"$TRACKBASE_WANDB_STATE.log" 2>&1 &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do [ -s "$TRACKBASE_WANDB_STATE" ] && break; sleep 0.5; done
[ -s "$TRACKBASE_WANDB_STATE" ] || { cat "$TRACKBASE_WANDB_STATE.log" >&2; exit 1; }
cd "$src"
python -m pytest -o addopts="" -p no:cacheprovider -n 0 --timeout "${TIMEOUT:-60}" -v -o console_output_style=classic -rfEs --continue-on-collection-errors \
  --junitxml="${JUNIT:-/tmp/wandb-system-tests.xml}" "${paths[@]}"

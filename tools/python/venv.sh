#!/usr/bin/env bash
# Makes (or reuses) a virtual environment for one Python test target.
#   tools/python/venv.sh <venv-dir> <pip install arguments...>
# The environment is rebuilt only when the install arguments, the files they name, or the
# Python version change; pip's cache (PIP_CACHE_DIR, default ~/.cache/pip) is reused across runs.
set -euo pipefail
venv="$1"
shift
python="${TRACKBASE_PYTHON:-python3}"
root="$(cd "$(dirname "$0")/../.." && pwd)"

# What the environment is made of: the arguments, the content of every file or directory's
# packaging metadata they name, and the interpreter's version.
stamp_input() {
  "$python" --version 2>&1
  printf '%s\n' "$@"
  for arg in "$@"; do
    path="${arg#-r}"
    path="${path#-e}"
    path="${path%%\[*}"
    if [ -f "$path" ]; then cat "$path"; fi
    if [ -d "$path" ] && [ -f "$path/pyproject.toml" ]; then cat "$path/pyproject.toml"; fi
  done
}
want="$(stamp_input "$@" | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.trackbase-stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
# The shared pytest plugin (a server fixture and tenants) goes into every test environment.
"$venv/bin/python" -m pip install -q --disable-pip-version-check "$root/tools/python/trackbase-testing" "$@"
echo "$want" >"$venv/.trackbase-stamp"

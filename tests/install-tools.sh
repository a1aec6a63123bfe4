#!/usr/bin/env bash
# Installs what the site tests need, only when it is missing (safe to run again):
#   - Chromium from Debian, at /usr/bin/chromium (Playwright drives it; no browser download)
#   - the Node tools in tests/tools (html-validate, axe-core), from the committed lock file
set -euo pipefail
cd "$(dirname "$0")"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "install-tools: need root to run: $*" >&2; return 1; fi
}

if [ ! -x /usr/bin/chromium ]; then
  echo "install-tools: installing Chromium from Debian"
  if ! apt-cache show chromium >/dev/null 2>&1; then
    as_root apt-get update
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

if ! command -v npm >/dev/null; then
  echo "install-tools: npm is missing; install Node.js (apt-get install -y nodejs npm)" >&2
  exit 1
fi
# npm ci only when the installed tools do not match the lock file.
if [ ! -f tools/node_modules/.package-lock.json ] || ! cmp -s tools/package-lock.json tools/node_modules/.hindsight-lock; then
  echo "install-tools: npm ci in tests/tools"
  (cd tools && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.hindsight-lock)
fi

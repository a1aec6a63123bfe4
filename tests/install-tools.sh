#!/usr/bin/env bash
# Installs what the site tests need, only when it is missing (safe to run again):
#   - Chromium from Debian, at /usr/bin/chromium (Playwright drives it; no browser download), without
#     its recommends (avahi, cups, upower...: noise a headless browser never uses) but with the
#     Liberation fonts it recommends, so pages are drawn with the same metrics everywhere
#   - the Node tools in tests/tools (html-validate, axe-core), from the committed lock file
# When something cannot be installed (no root, no npm) it says so: locally the browser tests
# are then skipped, but under CI (CI=true) this script and those tests fail.
set -euo pipefail
cd "$(dirname "$0")"

missing() {
  echo "install-tools: $*" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else return 1
  fi
}

if [ ! -x /usr/bin/chromium ]; then
  echo "install-tools: installing Chromium from Debian"
  if ! apt-cache show chromium >/dev/null 2>&1; then
    as_root apt-get update || true
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-liberation \
    || missing "could not install Chromium (needs root): run 'apt-get install -y --no-install-recommends chromium fonts-liberation'"
fi

if ! command -v npm >/dev/null; then
  missing "npm is missing: install Node.js (apt-get install -y nodejs npm)"
else
  # npm ci only when the installed tools do not match the lock file.
  if ! cmp -s tools/package-lock.json tools/node_modules/.hindsight-lock 2>/dev/null; then
    echo "install-tools: npm ci in tests/tools"
    (cd tools && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.hindsight-lock)
  fi
fi

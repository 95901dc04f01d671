#!/usr/bin/env bash
# Installs what Cache Doctor needs on a machine that has only Node 20 and npm:
# pnpm, the workspace's dependencies, Debian's redis-server (unless REDIS_URL points at a Redis) and
# (with --browser) Debian's chromium.
# Debian packages are installed when running as root; otherwise it says exactly what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.21.0
want_browser=false
[[ "${1:-}" == "--browser" ]] && want_browser=true

say() { printf '\033[1mcache-doctor:\033[0m %s\n' "$*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
if (( node_major < 20 )); then
  say "Node $(node --version) is too old: install Node 20.19 or newer." >&2
  exit 1
fi

if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]]; then
  say "installing pnpm@$PNPM_VERSION with npm ..."
  if ! npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    say "could not install pnpm globally; run: npm install -g pnpm@$PNPM_VERSION (with sudo if npm needs it)" >&2
    exit 1
  fi
fi

# Browsers come from Debian, never from a download.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
pnpm install --frozen-lockfile --reporter=silent

missing=()
# With REDIS_URL set the Redis is the deployment's own: nothing to install for it here.
if [[ -z "${REDIS_URL:-}" ]]; then
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
fi
if $want_browser && [[ ! -x /usr/bin/chromium ]]; then missing+=(chromium); fi
if (( ${#missing[@]} > 0 )); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${missing[*]} ..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "missing: ${missing[*]}. Install with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

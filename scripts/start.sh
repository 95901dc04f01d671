#!/usr/bin/env bash
# `pnpm start` / `npm start`: install what is missing, build the web app if it is out of date,
# and serve the dashboard. With no REDIS_URL and no upstream keys this is demo mode.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

stamp=web/dist/index.html
if [[ ! -f $stamp ]] || [[ -n $(find web/src web/index.html web/vite.config.ts shared/src -newer "$stamp" -print -quit) ]]; then
  printf '\033[1mcache-doctor:\033[0m building the web app ...\n'
  pnpm --filter @cache-doctor/web build >/dev/null
fi
exec pnpm exec tsx server/src/main.ts

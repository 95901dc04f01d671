#!/usr/bin/env bash
# `npm test` / `pnpm test`: the whole suite, exactly what CI runs (.ci/run).
# Installs its prerequisites, then typecheck, lint, unit + integration tests (vitest, real
# redis-server and sandbox upstreams) and browser tests (Playwright on Debian's chromium).
# Ends with one line of totals, `N passed, N failed, N skipped`, and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --browser || exit 1

results=.tmp/test-results
rm -rf "$results" && mkdir -p "$results"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

step() {
  local name=$1; shift
  printf '\n\033[1m== %s\033[0m\n' "$name"
  if "$@"; then echo "ok" >"$results/step-$name"; else echo "failed" >"$results/step-$name"; fi
}

step typecheck pnpm -r --workspace-concurrency=1 typecheck
step lint pnpm exec biome ci .
step build pnpm build
step vitest pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
step e2e env PLAYWRIGHT_JSON_OUTPUT_NAME="$PWD/$results/playwright.json" pnpm --filter @cache-doctor/e2e exec playwright test --reporter=list,json

node scripts/summarize-tests.mjs "$results"

#!/usr/bin/env bash
# Every test: lockfile consistency, type check, unit + component (vitest), then end-to-end (Playwright, Debian chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
# The lockfile agrees with package.json, so `npm ci` works from a clean clone (offline; installs nothing).
npm ci --dry-run --ignore-scripts --offline --no-audit --no-fund > /dev/null
npm run typecheck
npx vitest run
bash scripts/ensure-chromium.sh
npx vite build
npx playwright test

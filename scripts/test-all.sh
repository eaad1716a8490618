#!/usr/bin/env bash
# Every test: type check, unit + component (vitest), then end-to-end (Playwright, Debian chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run typecheck
npx vitest run
bash scripts/ensure-chromium.sh
npx vite build
npx playwright test

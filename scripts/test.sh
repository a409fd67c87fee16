#!/usr/bin/env bash
# The test command: installs what is missing, checks the static release binary, then
# builds and runs every test (unit, emulated clouds over loopback HTTP, the real
# binary as the Traffic Manager runs it, the simulator end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/release.sh >/dev/null
swift build --build-tests
swift test --skip-build --parallel

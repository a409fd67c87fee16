#!/usr/bin/env bash
# Rewrites scripts/function-order.txt, the order in which the release link places the
# driver's functions (the ones a run executes first and together, so that a run maps
# fewer pages of the binary: docs/performance.md). Needs valgrind. Run it after large
# changes to the driver; a stale list only costs some of the gain, never correctness.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "error: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
# The release link names the list: an empty one will do for the first build.
[ -f scripts/function-order.txt ] || : > scripts/function-order.txt
scripts/release-build.sh tmcloud tmcloud-sim
binary=$(mktemp -d)/tmcloud
# Symbols kept, debug information dropped (valgrind reads the symbol table).
strip --strip-debug -o "$binary" .build-release/release/tmcloud
/usr/bin/python3 bench/function_order.py --repo "$PWD" --tmcloud "$binary" \
    --sim "$PWD/.build-release/release/tmcloud-sim" --out scripts/function-order.txt
rm -rf "$(dirname "$binary")"
# The build does not see the list change: link the driver again with it.
rm -f .build-release/release/tmcloud
scripts/release-build.sh tmcloud

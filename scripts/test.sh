#!/usr/bin/env bash
# The test command: installs what is missing, checks the static release binary, then
# builds and runs every test (unit, emulated clouds over loopback HTTP, the real
# binary as the Traffic Manager runs it, the bad-input corpus, concurrent runs, the
# simulator end to end, a two-hour fault soak on each emulated cloud, secrets in every
# output), after a few seconds of fuzzing each parser.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/release.sh >/dev/null
# Four seconds per parser with libFuzzer and AddressSanitizer (the longer run is
# scripts/fuzz.sh --seconds=N; the week-long soak is scripts/soak.sh --days=7).
scripts/fuzz.sh --seconds=4
swift build --build-tests
# The seeds and every input the fuzzers ever crashed on, replayed by the ordinary build.
for target in argv credentials config json xml; do
    .build/debug/tmcloud-fuzz "$target" Tests/Corpus/fuzz/"$target"/*
done
# On a failure the issues are repeated at the end, where a truncated log still shows them.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The tests that run the driver as a process run the release binary, as shipped
# (TMCLOUD_BIN): its libcurl and OpenSSL are its own (scripts/release-build.sh).
if ! TMCLOUD_BIN="$PWD/dist/tmcloud" swift test --skip-build --parallel 2>&1 | tee "$log"; then
    echo "--- the issues recorded above:"
    grep -E "recorded an issue|Caught error|fatal error|Fatal error" "$log" | cut -c1-400 || true
    exit 1
fi

#!/usr/bin/env bash
# Fuzzes the parsers that read what the driver is given (argv, the credentials file,
# the configuration file, JSON and XML replies) with libFuzzer and AddressSanitizer.
#
#   scripts/fuzz.sh --seconds=300                 # five minutes on each target
#   scripts/fuzz.sh --seconds=5 --targets=json,xml
#
# The seeds are Tests/Corpus/fuzz/TARGET/; what the fuzzer learns is kept in
# .build-fuzz/corpus/TARGET/. A crash stops the run, leaves the input in
# .build-fuzz/crashes/TARGET/ and exits 1: add that input to Tests/Corpus/fuzz/TARGET/
# (the ordinary build replays it: tmcloud-fuzz TARGET FILE) and fix the parser.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
targets="argv,credentials,config,json,xml"
for arg in "$@"; do
    case "$arg" in
        --seconds=*) seconds="${arg#--seconds=}" ;;
        --targets=*) targets="${arg#--targets=}" ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "fuzz.sh: unknown argument $arg (try --help)" >&2; exit 2 ;;
    esac
done
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --seconds must be a whole number" >&2; exit 2; }
scripts/install-deps.sh
# The whole driver stack is compiled with the sanitizers; FUZZING swaps the corpus
# replayer for libFuzzer's entry points. ld.gold warns "Cannot export local symbol"
# for each sanitizer symbol: harmless, filtered out.
swift build --scratch-path .build-fuzz --product tmcloud-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING 2>&1 |
    grep -v "Cannot export local symbol" | grep -E "error|warning: unre|Compiling|Build" || true
fuzzer=.build-fuzz/debug/tmcloud-fuzz
[ -x "$fuzzer" ] || { echo "fuzz.sh: the fuzzer did not build" >&2; exit 1; }
# Swift's backtracer and ASan's report would both claim a crash.
export SWIFT_BACKTRACE=enable=no
status=0
for target in ${targets//,/ }; do
    corpus=.build-fuzz/corpus/$target
    crashes=.build-fuzz/crashes/$target
    mkdir -p "$corpus" "$crashes"
    log=.build-fuzz/fuzz-$target.log
    if TMCLOUD_FUZZ_TARGET=$target "$fuzzer" "$corpus" "Tests/Corpus/fuzz/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$crashes/" -print_final_stats=1 > "$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        echo "fuzz $target: $runs inputs in ${seconds} s, no crash"
    else
        status=1
        echo "fuzz $target: FAILED; the input is in $crashes/ (log: $log)" >&2
        grep -E "ERROR|Precondition|Fatal|SUMMARY" "$log" | head -5 >&2
    fi
done
exit "$status"

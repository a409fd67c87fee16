#!/usr/bin/env bash
# The fault soak: the simulator drives the real tmcloud against each emulated cloud
# for N simulated days with faults on (5xx and 429 replies, dropped and hung
# connections, slow boots, failed builds), then checks that nothing was left behind,
# no name became two nodes, the pool stayed within bounds, every failed driver run is
# an event with the driver's message, and no run went past its deadline.
#
#   scripts/soak.sh --days=7                      # a week on each cloud (in parallel)
#   scripts/soak.sh --days=1 --clouds=openstack --seed=5
#
# CI runs the same test for two simulated hours per cloud (scripts/test.sh). The
# figures of each cloud are printed at the end and kept in .build/soak-report.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
days=7
clouds="digitalocean,openstack,opsource"
seed=11
for arg in "$@"; do
    case "$arg" in
        --days=*) days="${arg#--days=}" ;;
        --clouds=*) clouds="${arg#--clouds=}" ;;
        --seed=*) seed="${arg#--seed=}" ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "soak.sh: unknown argument $arg (try --help)" >&2; exit 2 ;;
    esac
done
seconds=$(awk -v d="$days" 'BEGIN { if (d !~ /^[0-9.]+$/ || d <= 0) exit 1; printf "%d", d * 86400 }') ||
    { echo "soak.sh: --days must be a positive number" >&2; exit 2; }
scripts/install-deps.sh
swift build --build-tests
report=$PWD/.build/soak-report.txt
: > "$report"
# The test runner itself, once per cloud: swift test would hold the build folder's
# lock and run them one after another.
runner="$(swift build --show-bin-path)/tmcloudPackageTests.xctest"
pids=()
for cloud in ${clouds//,/ }; do
    TMCLOUD_SOAK_SECONDS=$seconds TMCLOUD_SOAK_SEED=$seed TMCLOUD_SOAK_CLOUDS=$cloud TMCLOUD_SOAK_REPORT=$report \
        "$runner" --testing-library swift-testing --filter 'FaultSoakTests/soak' > ".build/soak-$cloud.log" 2>&1 &
    pids+=("$!")
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
cat "$report"
if [ "$status" -ne 0 ]; then
    grep -h "✘" .build/soak-*.log | head -40 >&2
    echo "soak.sh: FAILED (logs in .build/soak-*.log)" >&2
fi
exit "$status"

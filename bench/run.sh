#!/usr/bin/env bash
# The benchmark (`make bench`, scripts/bench.sh): the release tmcloud against curl and
# a Python `requests` baseline on the emulated clouds, over loopback HTTP and HTTPS,
# interleaved runs, medians and ratios, PASS/FAIL per budget (exit 1 if one fails).
# Options are passed to bench/bench.py (--rounds=N, --rounds-large=N, --json=FILE).
# What it measures and why: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# Tools: curl and openssl for the comparison and the test CA; Debian's python3 runs the
# harness; a python3 with requests runs the baseline. HTTPS is the emulators' own.
need=()
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl)
[ -x /usr/bin/python3 ] || need+=(python3)
command -v readelf >/dev/null || need+=(binutils)
command -v cc >/dev/null || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "error: please install ${need[*]}" >&2; exit 1
    fi
fi
python=""
for candidate in "${BENCH_PYTHON:-}" "$(command -v pyenv >/dev/null && pyenv which python3 2>/dev/null || true)" \
    /usr/bin/python3 "$(command -v python3 || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import requests' 2>/dev/null; then
        python=$candidate; break
    fi
done
if [ -z "$python" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-requests >/dev/null && python=/usr/bin/python3
    fi
    [ -n "$python" ] || { echo "error: no python3 with requests for the baseline (set BENCH_PYTHON)" >&2; exit 1; }
fi

# The release driver exactly as shipped, and the emulators built the same way.
tmcloud=$(scripts/release.sh)
scripts/release-build.sh tmcloud-sim
sim=.build-release/release/tmcloud-sim

args=(--repo "$repo" --tmcloud "$repo/$tmcloud" --sim "$repo/$sim" --python "$python" "$@")
# The system trust store part needs the test CA in /etc/ssl/certs: done in a private
# mount namespace, so the machine's own store is never touched.
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && unshare -m --propagation private true 2>/dev/null; then
    exec unshare -m --propagation private /usr/bin/python3 bench/bench.py --system-store "${args[@]}"
fi
exec /usr/bin/python3 bench/bench.py "${args[@]}"

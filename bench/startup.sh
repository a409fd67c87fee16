#!/usr/bin/env bash
# Startup cost of the release driver: `tmcloud version` against `curl --version` and a
# C program that does nothing, as whole processes (median of many runs, hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(scripts/release.sh)
command -v hyperfine >/dev/null || {
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq hyperfine >/dev/null 2>&1 || true; fi
}
command -v hyperfine >/dev/null || { echo "error: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'int main(void){return 0;}\n' > "$tmp/empty.c"
cc -O2 -o "$tmp/empty" "$tmp/empty.c"
hyperfine -N --warmup 10 --runs 100 --export-json "$tmp/startup.json" \
    "$tmp/empty" "curl --version" "$binary version" >/dev/null 2>&1
python3 - "$tmp/startup.json" "$binary" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
names = ["empty C program", "curl --version", "tmcloud version"]
print(f"{'command':<20} {'median ms':>10} {'mean ms':>9} {'user ms':>8} {'sys ms':>7}")
for name, r in zip(names, runs):
    print(f"{name:<20} {r['median']*1000:>10.2f} {r['mean']*1000:>9.2f} {r['user']*1000:>8.2f} {r['system']*1000:>7.2f}")
ratio = runs[2]["median"] / runs[1]["median"]
print(f"tmcloud version / curl --version: {ratio:.2f}x")
PY

#!/usr/bin/env bash
# `make bench`: the benchmark and its budgets (bench/run.sh; docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
exec bench/run.sh "$@"

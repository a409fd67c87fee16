#!/usr/bin/env bash
# The main job: the simulator on its built-in scenario (a day of traffic on a pool
# on the emulated DigitalOcean), driving the real release tmcloud. Extra arguments go
# to tmcloud-sim (try: scripts/run.sh help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/release-build.sh
exec .build-release/release/tmcloud-sim "$@"

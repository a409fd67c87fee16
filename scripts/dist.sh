#!/usr/bin/env bash
# Makes dist/tmcloud-VERSION-linux-ARCH.tar.gz: the release binary, the sample
# configurations and the documentation, ready to upload to a Traffic Manager.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(scripts/release.sh)
version=$("$binary" version | awk '{print $2}')
name="tmcloud-$version-linux-$(uname -m)"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name"
cp "$binary" "$stage/$name/tmcloud"
cp -r driver-configs docs LICENSE README.md "$stage/$name/"
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"

#!/usr/bin/env bash
# Makes dist/tmcloud-VERSION-linux-ARCH.tar.gz: the release binary, the sample
# configurations, the documentation, and the licences of the libraries linked into
# the binary (licenses/), ready to upload to a Traffic Manager.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(scripts/release.sh)
version=$("$binary" version | awk 'NR == 1 {print $2}')
name="tmcloud-$version-linux-$(uname -m)"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/licenses"
cp "$binary" "$stage/$name/tmcloud"
cp -r driver-configs docs LICENSE README.md "$stage/$name/"

# The binary carries these libraries; their licences ask that their notices travel
# with it. Debian's copyright files are the notices of the very builds linked in.
toolchain=$(dirname "$(dirname "$(command -v swift)")")
gcc_base="/usr/share/doc/gcc-$(c++ -dumpversion | cut -d. -f1)-base/copyright"
notices=(
    "swift-runtime:$toolchain/share/swift/LICENSE.txt"
    "libstdc++-and-libgcc:$gcc_base"
    "libxml2:/usr/share/doc/libxml2/copyright"
    "liblzma:/usr/share/doc/liblzma5/copyright"
    "zlib:/usr/share/doc/zlib1g/copyright"
)
if [ -f .build-release/static-libs/libcurl.so ]; then
    notices+=("curl:/usr/share/doc/libcurl4-openssl-dev/copyright" "openssl:/usr/share/doc/libssl3/copyright")
fi
{
    echo "tmcloud $version carries these libraries inside it; their licences follow in this folder."
    "$binary" version --verbose 2>&1 >/dev/null | sed 's/^tmcloud: /linked: /'
} > "$stage/$name/licenses/README"
for notice in "${notices[@]}"; do
    label=${notice%%:*} file=${notice#*:}
    if [ -f "$file" ]; then
        cp "$file" "$stage/$name/licenses/$label.txt"
        echo "  $label" >> "$stage/$name/licenses/README"
    else
        echo "error: the licence of $label is not at $file" >&2
        exit 1
    fi
done
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"

#!/usr/bin/env bash
# Builds the release driver with the Swift runtime, libcurl, OpenSSL and libxml2 linked
# in, strips it, and checks what a Traffic Manager appliance must provide: only glibc
# (or, where the static libcurl could not be built, glibc and the system's libcurl;
# scripts/release-build.sh). Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

scripts/release-build.sh tmcloud
# The string-processing library (regex parser and all: 9,000 functions, 1.9 MB) comes
# in with one call of String.firstRange(of:) or contains(String); the driver uses
# firstUTF8Range and containsUTF8 instead.
if nm .build-release/release/tmcloud | grep -q '_StringProcessing'; then
    echo "error: dist/tmcloud links _StringProcessing: a driver module calls String.firstRange(of:), contains(String) or a regex (use firstUTF8Range / containsUTF8)" >&2
    exit 1
fi
mkdir -p dist
cp .build-release/release/tmcloud dist/tmcloud
strip dist/tmcloud

allowed='^(libcurl\.so\.4|libxml2\.so\.2|libc\.so\.6|libm\.so\.6|libstdc\+\+\.so\.6|libgcc_s\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1)$'
needed=$(readelf -d dist/tmcloud | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
for lib in $needed; do
    if ! [[ $lib =~ $allowed ]]; then
        echo "error: dist/tmcloud needs $lib, which an appliance may not have" >&2
        exit 1
    fi
done
if [ -f .build-release/static-libs/libcurl.so ] && grep -qx 'libcurl\.so\.4' <<<"$needed"; then
    echo "error: dist/tmcloud was to carry libcurl, and needs libcurl.so.4 (is a -L of the system's folder first on the link?)" >&2
    exit 1
fi

# The oldest glibc it runs on: 2.35 (Ubuntu 22.04, Debian 12). A symbol or a loader
# feature of a newer one (DT_RELR is 2.36) would shut out those appliances.
newest=$(objdump -T dist/tmcloud | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1)
if [ "$(printf '%s\n' "$newest" GLIBC_2.35 | sort -V | tail -1)" != GLIBC_2.35 ] || readelf -V dist/tmcloud | grep -q GLIBC_ABI_DT_RELR; then
    echo "error: dist/tmcloud needs a glibc newer than 2.35 ($newest$(readelf -V dist/tmcloud | grep -q GLIBC_ABI_DT_RELR && echo ', DT_RELR'))" >&2
    exit 1
fi

# It must run with the Swift toolchain out of reach: hide it where we can.
toolchain=$(dirname "$(dirname "$(command -v swift)")")
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
    out=$(unshare -m sh -c "mount -t tmpfs none '$toolchain' && env -i dist/tmcloud version")
else
    out=$(env -i LD_LIBRARY_PATH= dist/tmcloud version)
fi
case "$out" in
    "tmcloud "*) ;;
    *) echo "error: dist/tmcloud version printed '$out'" >&2; exit 1 ;;
esac
echo "dist/tmcloud: $(stat -c %s dist/tmcloud) bytes, needs: $(echo $needed | tr '\n' ' ')" >&2
echo dist/tmcloud

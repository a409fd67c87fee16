#!/usr/bin/env bash
# Release build of the given products (default: all) into .build-release, with the
# Swift runtime linked in and, for the driver, the C++ runtime and libcurl too:
#  * libstdc++.a where the compiler has it: loading libstdc++.so would cost the driver
#    about 3 million instructions of symbol relocation on every run;
#  * libcurl built by scripts/static-libcurl.sh, with OpenSSL's and zlib's archives:
#    Debian's libcurl.so loads 31 libraries on every start. Where that build cannot
#    be had, the driver links the system's libcurl.so and this says so.
# Both go through linker scripts named like the shared libraries, in a folder that
# Package.swift puts first on the driver's library path (TMCLOUD_STATIC_LIBS_DIR); a
# `libcurl.so` there means the driver carries its libcurl (release.sh, dist.sh).
# TMCLOUD_LIBCURL=system skips the static libcurl; =static makes its absence an error.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/.build-release/static-libs"
mkdir -p "$dir"
archive=$(c++ -print-file-name=libstdc++.a 2>/dev/null || true)
if [ -n "$archive" ] && [ -f "$archive" ]; then
    echo "INPUT($archive)" > "$dir/libstdc++.so"
else
    rm -f "$dir/libstdc++.so"
fi

rm -f "$dir/libcurl.so"
mode=${TMCLOUD_LIBCURL:-auto}
if [ "$mode" != system ]; then
    if curl_archive=$(scripts/static-libcurl.sh); then
        libs=("$curl_archive")
        for name in libssl.a libcrypto.a libz.a; do
            path=$(cc -print-file-name="$name")
            [ -f "$path" ] || { echo "error: $name is missing (libssl-dev, zlib1g-dev)" >&2; exit 1; }
            libs+=("$path")
        done
        echo "INPUT(${libs[*]})" > "$dir/libcurl.so"
    elif [ "$mode" = static ]; then
        echo "error: TMCLOUD_LIBCURL=static, and the static libcurl could not be built" >&2
        exit 1
    else
        echo "warning: the driver links the system's libcurl.so (and its 31 libraries)" >&2
    fi
fi
export TMCLOUD_STATIC_LIBS_DIR="$dir"
# The linker script is read at link time only: relink the driver when it changed.
linked=$(cat "$dir/libcurl.so" 2>/dev/null || echo system)
if [ "$linked" != "$(cat "$dir/linked" 2>/dev/null)" ]; then
    rm -f .build-release/release/tmcloud
    echo "$linked" > "$dir/linked"
fi

products=("$@")
if [ ${#products[@]} -eq 0 ]; then
    swift build -c release --static-swift-stdlib --scratch-path .build-release >&2
else
    for product in "${products[@]}"; do
        swift build -c release --static-swift-stdlib --product "$product" --scratch-path .build-release >&2
    done
fi

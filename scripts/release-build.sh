#!/usr/bin/env bash
# Release build of the given products (default: all) into .build-release, with the
# Swift runtime linked in and, where the compiler has a static libstdc++.a, the C++
# runtime too: loading libstdc++.so would cost the driver about 3 million
# instructions of symbol relocation on every run (see Package.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
archive=$(c++ -print-file-name=libstdc++.a 2>/dev/null || true)
if [ -n "$archive" ] && [ -f "$archive" ]; then
    mkdir -p .build-release/static-cxx
    echo "INPUT($archive)" > .build-release/static-cxx/libstdc++.so
    export TMCLOUD_STATIC_CXX_DIR="$PWD/.build-release/static-cxx"
fi
products=("$@")
if [ ${#products[@]} -eq 0 ]; then
    swift build -c release --static-swift-stdlib --scratch-path .build-release >&2
else
    for product in "${products[@]}"; do
        swift build -c release --static-swift-stdlib --product "$product" --scratch-path .build-release >&2
    done
fi

#!/usr/bin/env bash
# Installs the system libraries tmcloud builds against, when they are missing:
# libcurl4-openssl-dev and libxml2-dev (Debian/Ubuntu package names), with the static
# xz and zlib archives that the static libxml2 needs, and libssl-dev for the emulated
# clouds' HTTPS and the driver's own static OpenSSL; and what scripts/static-libcurl.sh
# needs to build libcurl from Debian's source (make, patch, xz-utils).
set -euo pipefail

missing=()
# openssl (the command) makes the test certificates for the TLS tests.
for pkg in libcurl4-openssl-dev libxml2-dev liblzma-dev zlib1g-dev libssl-dev openssl make patch xz-utils; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "error: please install ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 1
fi

#!/usr/bin/env bash
# Builds the libcurl that the release driver carries inside it, and prints the path of
# its static archive. It is Debian's own libcurl source (the upstream tarball and every
# Debian patch, security fixes included), of the same upstream version as the
# installed headers, configured for what the driver uses: HTTP and HTTPS over OpenSSL,
# gzip, IPv6, the threaded resolver, proxies from the environment. Nothing else.
#
# Why: Debian's libcurl.so loads 31 libraries on every start (GnuTLS through librtmp,
# Kerberos, LDAP, SASL, libssh2, nghttp2, ...). That is 4-5 ms and 5 MB of resident
# pages per poll, more than the whole status request costs, and an appliance may not
# have those libraries at all. Debian ships no static archives for most of them, so
# a libcurl without them is built here (docs/performance.md, change 25).
#
# The source comes from the Debian registry through apt-get (checked against the
# signed Sources index), with a private list folder: the system's apt configuration
# is read, never changed. The result is kept in .build-libcurl/ and rebuilt only when
# the source version or these options change. Exits 1 with a one-line reason when the
# source cannot be had (no registry, not Debian); scripts/release-build.sh then links
# the system's libcurl instead.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/.build-libcurl"

fail() { echo "static-libcurl: $*" >&2; exit 1; }

# What the driver needs of libcurl; everything else is left out. The CA defaults are
# Debian's (the driver sets its own trust explicitly in any case).
options=(
    --disable-shared --enable-static --with-pic
    --with-openssl --with-zlib --enable-threaded-resolver --enable-ipv6
    --with-ca-path=/etc/ssl/certs --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt
    --without-brotli --without-zstd --without-libpsl --without-nghttp2 --without-libidn2
    --without-librtmp --without-libssh2 --without-libssh --without-gssapi --without-libgsasl
    --disable-ldap --disable-ldaps --disable-dict --disable-file --disable-ftp
    --disable-gopher --disable-imap --disable-mqtt --disable-pop3 --disable-rtsp
    --disable-smb --disable-smtp --disable-telnet --disable-tftp --disable-manual
    --disable-ntlm --disable-ntlm-wb --disable-alt-svc --disable-hsts --disable-cookies
    --disable-websockets
)

command -v apt-get >/dev/null && command -v dpkg-query >/dev/null || fail "no apt-get: not a Debian-family system"
for tool in cc make patch tar xz; do
    command -v "$tool" >/dev/null || fail "$tool is missing"
done

# The headers the driver compiles against decide the upstream version to build.
header=/usr/include/x86_64-linux-gnu/curl/curlver.h
[ -f "$header" ] || header=$(echo '#include <curl/curlver.h>' | cc -E -M - 2>/dev/null | tr ' ' '\n' | grep 'curlver\.h$' | head -1 || true)
[ -n "$header" ] && [ -f "$header" ] || fail "libcurl's headers are not installed"
upstream=$(sed -n 's/^#define LIBCURL_VERSION "\([^"]*\)".*/\1/p' "$header")
[ -n "$upstream" ] || fail "cannot read LIBCURL_VERSION from $header"

# Sources lists from the system's own, deb-src for deb, in a private apt state.
apt_dir="$root/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/sources.list.d" "$apt_dir/archives/partial" "$apt_dir/cache"
rm -f "$apt_dir/sources.list.d/"*
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sed 's/^Types:.*\bdeb\b.*$/Types: deb-src/' "$f" > "$apt_dir/sources.list.d/$(basename "$f")"
done
: > "$apt_dir/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >> "$apt_dir/sources.list"
done
apt_options=(
    -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "Dir::Cache::Archives=$apt_dir/archives"
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq
)
# The newest curl source the lists name, or nothing.
newest_source() { apt-cache "${apt_options[@]}" showsrc curl 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -1 || true; }
version=$(newest_source)
if [ -z "$version" ] || ! [ -f "$apt_dir/updated" ] || [ -n "$(find "$apt_dir/updated" -mmin +1440)" ]; then
    # Its status is not the test: a third-party repository without sources fails it,
    # and Debian's lists may still have come.
    timeout 300 apt-get "${apt_options[@]}" update >/dev/null 2>&1 || true
    touch "$apt_dir/updated"
    version=$(newest_source)
fi
[ -n "$version" ] || fail "no curl source in the registry (apt-get update of the deb-src lists failed?)"
case "${version#*:}" in
    "$upstream"-*|"$upstream") ;;
    *) fail "the registry's curl source is $version, the installed headers are $upstream" ;;
esac

stamp=$(printf '%s\n' "$version" "${options[@]}" "$(cc --version | head -1)" | sha256sum | cut -c1-16)
out="$root/curl-$stamp"
if [ -f "$out/libcurl.a" ]; then
    echo "$out/libcurl.a"
    exit 0
fi

work="$root/work"
rm -rf "$work" && mkdir -p "$work"
(cd "$work" && timeout 300 apt-get "${apt_options[@]}" source --download-only "curl=$version" >/dev/null 2>&1) \
    || fail "apt-get source curl=$version failed"
orig=$(ls "$work"/curl_*.orig.tar.* | head -1)
debian=$(ls "$work"/curl_*.debian.tar.* | head -1)
mkdir "$work/src"
tar -xf "$orig" -C "$work/src" --strip-components=1
tar -xf "$debian" -C "$work/src"
# Debian's series, less its last two patches: they rename the library for the GnuTLS
# and NSS flavours, and Debian's own build takes them off for the OpenSSL one.
(
    cd "$work/src"
    grep -v '^#' debian/patches/series | grep . | grep -v -e '^90_gnutls' -e '^99_nss' | while read -r p _; do
        patch -p1 -s --no-backup-if-mismatch < "debian/patches/$p" || fail "Debian patch $p does not apply"
    done
)
echo "static-libcurl: building libcurl $version (HTTP and HTTPS only), about a minute" >&2
(
    cd "$work/src"
    CFLAGS="-O2 -g0 -fstack-protector-strong -D_FORTIFY_SOURCE=2" ./configure "${options[@]}" > "$work/configure.log" 2>&1 \
        || { tail -5 "$work/configure.log" >&2; fail "configure failed ($work/configure.log)"; }
    make -j"$(nproc)" -C lib > "$work/make.log" 2>&1 \
        || { tail -5 "$work/make.log" >&2; fail "make failed ($work/make.log)"; }
)
mkdir -p "$out.tmp"
cp "$work/src/lib/.libs/libcurl.a" "$out.tmp/libcurl.a"
printf 'curl %s\n' "$version" > "$out.tmp/VERSION"
rm -rf "$out" && mv "$out.tmp" "$out"
rm -rf "$work"
echo "$out/libcurl.a"

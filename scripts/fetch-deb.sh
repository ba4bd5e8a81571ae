#!/bin/sh
# fetch-deb.sh PACKAGE PROGRAM: unpacks Debian's PACKAGE into .cache/PACKAGE (no system install)
# unless .cache/PACKAGE/usr/bin/PROGRAM is there already. The reference C binaries: runit's for
# the compatibility tests and the benchmark, daemontools' tai64nlocal for ours. Needs apt-get.
set -eu
cd "$(dirname "$0")/.."
pkg=$1
[ -x ".cache/$pkg/usr/bin/$2" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1 ) || { apt-get update >/dev/null && ( cd "$tmp" && apt-get download "$pkg" >/dev/null ); }
mkdir -p ".cache/$pkg"
dpkg -x "$tmp/${pkg}"_*.deb ".cache/$pkg"
echo "binaries of $pkg are in .cache/$pkg/usr/bin"

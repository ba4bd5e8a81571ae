#!/bin/sh
# Fetches Debian's runit package and unpacks its C binaries into .cache/runit (no system install),
# for the compatibility tests and the benchmark. Needs apt-get (Debian/Ubuntu).
set -eu
cd "$(dirname "$0")/.."
[ -x .cache/runit/usr/bin/runsv ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && apt-get download runit >/dev/null 2>&1 ) || { apt-get update >/dev/null && ( cd "$tmp" && apt-get download runit >/dev/null ); }
mkdir -p .cache/runit
dpkg -x "$tmp"/runit_*.deb .cache/runit
echo "runit's binaries are in .cache/runit/usr/bin"

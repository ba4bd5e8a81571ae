#!/bin/sh
# Fetches Debian's daemontools package and unpacks it into .cache/daemontools (no system
# install), for the tests that compare tai64nlocal with daemontools' own. Needs apt-get.
set -eu
cd "$(dirname "$0")/.."
[ -x .cache/daemontools/usr/bin/tai64nlocal ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && apt-get download daemontools >/dev/null 2>&1 ) || { apt-get update >/dev/null && ( cd "$tmp" && apt-get download daemontools >/dev/null ); }
mkdir -p .cache/daemontools
dpkg -x "$tmp"/daemontools_*.deb .cache/daemontools
echo "daemontools' binaries are in .cache/daemontools/usr/bin"

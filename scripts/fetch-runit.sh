#!/bin/sh
# The reference C binaries the tests and the benchmark compare with: runit's, and daemontools'
# tai64nlocal (Debian's packages, unpacked into .cache/, nothing installed). Needs apt-get.
set -eu
cd "$(dirname "$0")/.."
sh scripts/fetch-deb.sh runit runsv
sh scripts/fetch-deb.sh daemontools tai64nlocal

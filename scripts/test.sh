#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (apt, as root or with sudo), builds Lifeboat and runs
# every test. Tests start their own throwaway PostgreSQL clusters, session bus and keyring;
# whatever a killed run left behind is stopped on the way out. Exits non-zero on any failure.
#   scripts/test.sh [extra ctest arguments, e.g. -L unit or -R Snapshot]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

install_deps
build build
trap stop_stray_clusters EXIT

log "Running tests"
cd build
ctest --output-on-failure --no-tests=error -j 2 --timeout 900 "$@"

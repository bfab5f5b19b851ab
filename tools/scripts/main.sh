#!/usr/bin/env bash
# natfwt's main job for a newcomer: install what is missing, build, and run
# `natfwt lab demo`: an emulated internet of NATs in network namespaces where
# two programs reach each other through natfwt's network interface (ping and
# a checked TCP copy, one pair relayed through TURN, one direct), in under a
# minute, torn down afterwards. The lab needs root; without it this says so
# and runs `natfwt doctor` (what this machine can do for traversal) instead.
# Arguments go to `natfwt lab demo` (e.g. --keep).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/deps.sh
natfwt_install_deps
natfwt_build build
if [ "$(id -u)" -ne 0 ]; then
  echo "natfwt: the demo builds network namespaces and needs root" \
    "(sudo tools/scripts/main.sh); running 'natfwt doctor' instead." >&2
  exec build/tools/natfwt/natfwt doctor
fi
exec build/tools/natfwt/natfwt lab demo "$@"

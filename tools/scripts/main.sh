#!/usr/bin/env bash
# natfwt's main job for a newcomer: install what is missing, build, and run
# `natfwt doctor` (what this machine can do for traversal).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/deps.sh
natfwt_install_deps
natfwt_build build
exec build/tools/natfwt/natfwt doctor "$@"

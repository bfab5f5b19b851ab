#!/usr/bin/env bash
# Copyright 2026 The natfwt Authors.
#
# Runs a provider program on libcpnatfwt's in-memory backend with a fresh
# state directory (removed afterwards), and returns its exit status.
#
# Usage: run_memory_backend.sh PROGRAM [ARGS...]
set -euo pipefail

TMP=$(mktemp -d "${TMPDIR:-/tmp}/natfwt-abi.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
status=0
NATFWT_CP_BACKEND=memory NATFWT_STATE_DIR="$TMP" "$@" || status=$?
exit "$status"

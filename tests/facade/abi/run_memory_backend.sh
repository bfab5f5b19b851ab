#!/usr/bin/env bash
# Copyright 2026 The natfwt Authors.
#
# Runs a provider program on libcpnatfwt's in-memory backend with a fresh
# state directory (removed afterwards), and returns its exit status.
#
# Usage: run_memory_backend.sh PROGRAM [ARGS...]
# NATFWT_TEST_RUNNER (e.g. wine): runs PROGRAM through it (cross builds).
set -euo pipefail
read -r -a RUNNER <<<"${NATFWT_TEST_RUNNER:-}"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/natfwt-abi.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
status=0
NATFWT_CP_BACKEND=memory NATFWT_STATE_DIR="$TMP" "${RUNNER[@]}" "$@" || status=$?
exit "$status"

#!/usr/bin/env bash
# Copyright 2026 The natfwt Authors.
#
# The sample providers' lifecycle on the in-memory backend
# (NATFWT_CP_BACKEND=memory): no root, no TUN, no traffic beyond udp_provider's
# HELLOs to a closed port on 127.0.0.1. Each provider must register, receive
# its transport ID, and on SIGTERM deregister and destroy (TERMINATE with
# PROVIDER_REQUEST) and exit 0. Also: command-line errors exit 2, a stored
# LUID is reused, null_provider --duration ends on its own.
#
# Usage: provider_lifecycle.sh UDP_PROVIDER NULL_PROVIDER
set -euo pipefail

readonly UDP_PROVIDER=$1 NULL_PROVIDER=$2
readonly WAIT_S=20
TMP=$(mktemp -d "${TMPDIR:-/tmp}/natfwt-lifecycle.XXXXXX")
PID=""
export NATFWT_CP_BACKEND=memory NATFWT_STATE_DIR="$TMP/state"

log() { printf 'lifecycle: %s\n' "$*" >&2; }
fail() {
  log "FAIL: $*"
  exit 1
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$PID" ]]; then
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f "$TMP/out" ]]; then
    log "--- stdout"; cat "$TMP/out" >&2
    log "--- stderr"; tail -n 40 "$TMP/err" >&2
  fi
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# expect_status STATUS COMMAND...: runs COMMAND, which must exit with STATUS.
expect_status() {
  local expected=$1 status=0
  shift
  "$@" >"$TMP/out" 2>"$TMP/err" || status=$?
  [[ $status -eq $expected ]] || fail "'$*' exited $status, not $expected"
}

# start COMMAND...: runs COMMAND in the background (PID).
start() {
  "$@" >"$TMP/out" 2>"$TMP/err" &
  PID=$!
}

# await_line PATTERN: waits (polling every 50 ms, at most WAIT_S) for a
# stdout line matching the grep PATTERN.
await_line() {
  local deadline=$((SECONDS + WAIT_S))
  until grep -q "$1" "$TMP/out"; do
    kill -0 "$PID" 2>/dev/null || fail "exited before printing $1"
    ((SECONDS < deadline)) || fail "no line $1 within ${WAIT_S}s"
    sleep 0.05
  done
}

# finish [SIGNAL]: sends SIGNAL (if any), waits at most WAIT_S for the exit,
# which must be status 0 after TERMINATE(PROVIDER_REQUEST).
finish() {
  local deadline=$((SECONDS + WAIT_S)) status=0
  [[ $# -eq 0 ]] || kill "-$1" "$PID"
  while kill -0 "$PID" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "still running ${WAIT_S}s later"
    sleep 0.05
  done
  wait "$PID" || status=$?
  PID=""
  [[ $status -eq 0 ]] || fail "exit status $status"
  grep -qx 'terminated=PROVIDER_REQUEST' "$TMP/out" ||
    fail "no TERMINATE(PROVIDER_REQUEST)"
}

readonly UDP_ARGS=(--listen 127.0.0.1:0 --peer 127.0.0.1:9)

# --- Command lines -------------------------------------------------------------
expect_status 0 "$UDP_PROVIDER" --help
grep -q '^Usage: udp_provider' "$TMP/out" || fail "udp_provider --help"
expect_status 0 "$NULL_PROVIDER" --help
expect_status 2 "$UDP_PROVIDER" --listen 127.0.0.1:0
expect_status 2 "$UDP_PROVIDER" --listen 127.0.0.1 --peer 127.0.0.1:9
expect_status 2 "$UDP_PROVIDER" "${UDP_ARGS[@]}" --peer-id not-an-address
expect_status 2 "$UDP_PROVIDER" "${UDP_ARGS[@]}" --name $'\xff\xfe'
expect_status 2 "$UDP_PROVIDER" "${UDP_ARGS[@]}" --bogus
expect_status 2 "$NULL_PROVIDER" --duration 0
expect_status 2 "$NULL_PROVIDER" --name
log "command-line errors exit 2"

# --- udp_provider: register, transport ID, SIGTERM -----------------------------
start "$UDP_PROVIDER" "${UDP_ARGS[@]}" --name 'lifecycle ✓' \
  --luid-file "$TMP/luid"
await_line '^transport_id=fd'
await_line '^luid=0x'
finish TERM
luid=$(sed -n 's/^luid=//p' "$TMP/out")
[[ "$(cat "$TMP/luid")" == "$luid" ]] || fail "LUID file holds $(cat "$TMP/luid")"
log "udp_provider: registered ($luid), stopped by SIGTERM"

# The stored LUID brings the same interface identity back; SIGINT also stops.
id=$(sed -n 's/^transport_id=//p' "$TMP/out")
start "$UDP_PROVIDER" "${UDP_ARGS[@]}" --luid-file "$TMP/luid"
await_line '^transport_id=fd'
await_line '^luid=0x'
finish INT
[[ "$(sed -n 's/^luid=//p' "$TMP/out")" == "$luid" ]] || fail "LUID not reused"
[[ "$(sed -n 's/^transport_id=//p' "$TMP/out")" == "$id" ]] ||
  fail "transport ID not reused"
log "udp_provider: LUID and transport ID reused, stopped by SIGINT"

# --- null_provider ------------------------------------------------------------
start "$NULL_PROVIDER" --ipv4
await_line '^transport_id=fd'
await_line '^transport_id=100\.'
finish TERM
grep -qx 'packets_dropped=0' "$TMP/out" || fail "null_provider counters"
start "$NULL_PROVIDER" --duration 1
await_line '^luid=0x'
finish
log "null_provider: stopped by SIGTERM and by --duration"
log "PASS"

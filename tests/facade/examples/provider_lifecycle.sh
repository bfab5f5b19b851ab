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
# The same script checks the Windows builds of the same sources under Wine:
# NATFWT_TEST_RUNNER=wine runs every program through it, and there
#   * the stop requests are SIGINT only: Wine turns SIGINT into the
#     CTRL_C_EVENT the Windows build waits for, while Windows has no SIGTERM
#     (Wine ends the process at once);
#   * output lines end in CRLF (C text mode): they are read without the CR;
#   * command lines reach main() in the ANSI code page, so the invalid UTF-8
#     name case (a POSIX byte-string matter) is not run.
#
# Usage: provider_lifecycle.sh UDP_PROVIDER NULL_PROVIDER
set -euo pipefail

readonly UDP_PROVIDER=$1 NULL_PROVIDER=$2
read -r -a RUNNER <<<"${NATFWT_TEST_RUNNER:-}"
TERM_SIGNAL=TERM
[[ ${#RUNNER[@]} -eq 0 ]] || TERM_SIGNAL=INT
readonly TERM_SIGNAL
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

# out: the program's stdout so far, without CRs.
out() { tr -d '\r' <"$TMP/out"; }

# expect_status STATUS COMMAND...: runs COMMAND, which must exit with STATUS.
expect_status() {
  local expected=$1 status=0
  shift
  "${RUNNER[@]}" "$@" >"$TMP/out" 2>"$TMP/err" || status=$?
  [[ $status -eq $expected ]] || fail "'$*' exited $status, not $expected"
}

# start COMMAND...: runs COMMAND in the background (PID). The runner execs
# the program (Wine's loader becomes the Windows process), so PID is its.
start() {
  "${RUNNER[@]}" "$@" >"$TMP/out" 2>"$TMP/err" &
  PID=$!
}

# await_line PATTERN: waits (polling every 50 ms, at most WAIT_S) for a
# stdout line matching the grep PATTERN.
await_line() {
  local deadline=$((SECONDS + WAIT_S))
  until out | grep -q "$1"; do
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
  out | grep -qx 'terminated=PROVIDER_REQUEST' ||
    fail "no TERMINATE(PROVIDER_REQUEST)"
}

readonly UDP_ARGS=(--listen 127.0.0.1:0 --peer 127.0.0.1:9)

# --- Command lines -------------------------------------------------------------
expect_status 0 "$UDP_PROVIDER" --help
out | grep -q '^Usage: udp_provider' || fail "udp_provider --help"
expect_status 0 "$NULL_PROVIDER" --help
expect_status 2 "$UDP_PROVIDER" --listen 127.0.0.1:0
expect_status 2 "$UDP_PROVIDER" --listen 127.0.0.1 --peer 127.0.0.1:9
expect_status 2 "$UDP_PROVIDER" "${UDP_ARGS[@]}" --peer-id not-an-address
if [[ ${#RUNNER[@]} -eq 0 ]]; then
  expect_status 2 "$UDP_PROVIDER" "${UDP_ARGS[@]}" --name $'\xff\xfe'
fi
expect_status 2 "$UDP_PROVIDER" "${UDP_ARGS[@]}" --bogus
expect_status 2 "$NULL_PROVIDER" --duration 0
expect_status 2 "$NULL_PROVIDER" --name
log "command-line errors exit 2"

# --- udp_provider: register, transport ID, SIGTERM -----------------------------
start "$UDP_PROVIDER" "${UDP_ARGS[@]}" --name 'lifecycle ✓' \
  --luid-file "$TMP/luid"
await_line '^transport_id=fd'
await_line '^luid=0x'
finish "$TERM_SIGNAL"
luid=$(out | sed -n 's/^luid=//p')
stored=$(tr -d '\r' <"$TMP/luid")
[[ "$stored" == "$luid" ]] || fail "LUID file holds $stored"
log "udp_provider: registered ($luid), stopped by SIG$TERM_SIGNAL"

# The stored LUID brings the same interface identity back; SIGINT also stops.
id=$(out | sed -n 's/^transport_id=//p')
start "$UDP_PROVIDER" "${UDP_ARGS[@]}" --luid-file "$TMP/luid"
await_line '^transport_id=fd'
await_line '^luid=0x'
finish INT
[[ "$(out | sed -n 's/^luid=//p')" == "$luid" ]] || fail "LUID not reused"
[[ "$(out | sed -n 's/^transport_id=//p')" == "$id" ]] ||
  fail "transport ID not reused"
log "udp_provider: LUID and transport ID reused, stopped by SIGINT"

# --- null_provider ------------------------------------------------------------
start "$NULL_PROVIDER" --ipv4
await_line '^transport_id=fd'
await_line '^transport_id=100\.'
finish "$TERM_SIGNAL"
out | grep -qx 'packets_dropped=0' || fail "null_provider counters"
start "$NULL_PROVIDER" --duration 1
await_line '^luid=0x'
finish
log "null_provider: stopped by SIG$TERM_SIGNAL and by --duration"
log "PASS"

#!/usr/bin/env bash
# Copyright 2026 The natfwt Authors.
#
# The node's commands as a user runs them, on loopback: `natfwt rendezvous`,
# two `natfwt up` nodes (each with its own state directory), `natfwt id`,
# `natfwt ping` (session on demand, direct path), `natfwt status` (text and
# JSON), a third node that is not allowed, and clean shutdown on SIGTERM
# (exit 0, control socket removed).
#
# Usage: node_cli_test.sh NATFWT
set -euo pipefail

readonly NATFWT=$1
readonly WAIT_S=30
TMP=$(mktemp -d "${TMPDIR:-/tmp}/natfwt-node-cli.XXXXXX")
PIDS=()

log() { printf 'node-cli: %s\n' "$*" >&2; }
fail() {
  log "FAIL: $*"
  exit 1
}
cleanup() {
  local status=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ $status -ne 0 ]]; then
    for f in "$TMP"/*.out "$TMP"/*.err; do
      [[ -f $f ]] || continue
      log "--- $f"
      tail -n 30 "$f" >&2
    done
  fi
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# await PATTERN FILE: waits (polling, at most WAIT_S) for a line in FILE.
await() {
  local deadline=$((SECONDS + WAIT_S))
  until grep -q -- "$1" "$2" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "no '$1' in $2 within ${WAIT_S}s"
    sleep 0.05
  done
}

# await_status NAME PATTERN: waits until `natfwt status --json` of node NAME
# matches PATTERN.
await_status() {
  local deadline=$((SECONDS + WAIT_S))
  until "$NATFWT" status --json --state-dir "$TMP/$1" 2>/dev/null |
      grep -q -- "$2"; do
    ((SECONDS < deadline)) || fail "node $1: status never matched '$2'"
    sleep 0.05
  done
}

# up NAME ALLOW...: starts a node.
up() {
  local name=$1 allow=() a
  shift
  for a in "$@"; do allow+=(--allow "$a"); done
  "$NATFWT" up --rendezvous "$RENDEZVOUS" --network cli-test \
    --state-dir "$TMP/$name" --address 127.0.0.1 --no-ipv6 \
    --connect-timeout-s 3 "${allow[@]}" \
    >"$TMP/$name.out" 2>"$TMP/$name.err" &
  PIDS+=($!)
  eval "PID_$name=$!"
  await "^control " "$TMP/$name.out"
}

# Identities first: each node allows the other by ID.
A_ID=$("$NATFWT" id --state-dir "$TMP/a")
B_ID=$("$NATFWT" id --state-dir "$TMP/b")
C_ID=$("$NATFWT" id --state-dir "$TMP/c")
[[ $A_ID =~ ^[0-9a-f]{64}$ ]] || fail "natfwt id printed '$A_ID'"
[[ $("$NATFWT" id --state-dir "$TMP/a") == "$A_ID" ]] || fail "id changed"
[[ $(stat -c %a "$TMP/a") == 700 ]] || fail "state dir not 0700"

"$NATFWT" rendezvous --listen 127.0.0.1:0 >"$TMP/rdv.out" 2>"$TMP/rdv.err" &
PIDS+=($!)
await "^listening on " "$TMP/rdv.out"
RENDEZVOUS=$(sed -n 's/^listening on //p' "$TMP/rdv.out")
log "rendezvous at $RENDEZVOUS"

up a "$B_ID" "$C_ID"
up b "$A_ID"
up c "$B_ID"
await_status a '"rendezvous_connected":true'
await_status b '"rendezvous_connected":true'
await_status c '"rendezvous_connected":true'
await_status a "\"node_id\":\"$B_ID\",[^}]*\"online\":true"
grep -q "^node $A_ID up in network 'cli-test'" "$TMP/a.out" ||
  fail "up did not print its node ID"
[[ $(stat -c %a "$TMP/a/control.sock") == 600 ]] || fail "control socket not 0600"

# Ping: the session is created on demand and the path is direct.
"$NATFWT" ping "$B_ID" -c 3 --interval-ms 100 --state-dir "$TMP/a" \
  >"$TMP/ping.out" 2>"$TMP/ping.err" || fail "ping exited $?"
[[ $(grep -c "^reply from ${B_ID:0:12}: seq=[0-9]* time=.* via direct" \
  "$TMP/ping.out") -eq 3 ]] || fail "expected 3 direct replies"
grep -q "session set up in" "$TMP/ping.out" || fail "no setup time reported"
grep -q "^3 pings, 3 replies, 0% loss" "$TMP/ping.out" || fail "no summary"

"$NATFWT" ping "$B_ID" -c 1 --json --state-dir "$TMP/a" >"$TMP/ping.json"
grep -q '"received":1' "$TMP/ping.json" || fail "ping --json: $(cat "$TMP/ping.json")"

"$NATFWT" status --state-dir "$TMP/a" >"$TMP/status.out"
grep -q "^node        $A_ID" "$TMP/status.out" || fail "status: no node line"
grep -q "${B_ID:0:12}  secure  direct" "$TMP/status.out" ||
  fail "status: b not secure/direct"
"$NATFWT" status --json --state-dir "$TMP/b" >"$TMP/status.json"
grep -q "\"node_id\":\"$A_ID\",\"state\":\"secure\",\"initiator\":false" \
  "$TMP/status.json" || fail "status --json of b: $(cat "$TMP/status.json")"

# c is allowed by nobody but a... and b does not allow c: c's ping fails.
status=0
"$NATFWT" ping "$B_ID" -c 1 --timeout-ms 1000 --state-dir "$TMP/c" \
  >"$TMP/refused.out" 2>"$TMP/refused.err" || status=$?
[[ $status -eq 1 ]] || fail "ping of a peer that refuses exited $status"
grep -q "no reply from" "$TMP/refused.err" || fail "refusal not reported"
await_status b '"offers_not_allowed":[1-9]'

# Usage errors and a missing node.
status=0; "$NATFWT" ping nonsense --state-dir "$TMP/a" 2>/dev/null || status=$?
[[ $status -eq 2 ]] || fail "bad node id exited $status"
status=0; "$NATFWT" status --state-dir "$TMP/nowhere" 2>"$TMP/none.err" || status=$?
[[ $status -eq 1 ]] && grep -q "natfwt up" "$TMP/none.err" ||
  fail "status without a node: exit $status"
status=0; "$NATFWT" up --network x 2>/dev/null || status=$?
[[ $status -eq 2 ]] || fail "up without --rendezvous exited $status"

# Clean shutdown.
kill -TERM "$PID_a"
status=0; wait "$PID_a" || status=$?
[[ $status -eq 0 ]] || fail "up exited $status on SIGTERM"
[[ ! -e "$TMP/a/control.sock" ]] || fail "control socket left behind"
grep -q "^node stopped" "$TMP/a.out" || fail "no stop message"
log "ok"

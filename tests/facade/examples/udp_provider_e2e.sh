#!/usr/bin/env bash
# Copyright 2026 The natfwt Authors.
#
# End-to-end test of the sample udp_provider on the kernel backend: two
# network namespaces joined by a veth pair (the "underlay", 10.231.0.0/24),
# one udp_provider in each. Each provider gets a real CP interface (TUN) with
# IPv6 and IPv4 transport IDs and learns the other's IDs from its HELLOs.
# Then real traffic crosses the CP interfaces: ping both ways (IPv6 and
# IPv4), 1 MiB over TCP (sha256 checked), a UDP echo exchange. The friendly
# name must be the interface alias; a restart with --luid-file must get the
# same LUID and transport IDs back; SIGTERM must end both providers with
# status 0 and remove their interfaces.
#
# Provider A indicates received packets with a completion routine
# (--indicate-completion), B without: both paths of
# CPNatfwtIndicateReceivedBuffers carry traffic.
#
# Usage: udp_provider_e2e.sh UDP_PROVIDER PYTHON3 TRAFFIC_PY
# Exit: 0 pass, 1 fail, 77 skip (not root, no netns, no TUN; 1 when CI=true).
set -euo pipefail

readonly PROVIDER=$1 PYTHON=$2 TRAFFIC=$3
readonly NS_A="natfwt-e2e-$$-a" NS_B="natfwt-e2e-$$-b"
readonly UNDERLAY_A=10.231.0.1 UNDERLAY_B=10.231.0.2 PORT=47000
# UTF-8 on purpose: the name crosses WCHAR and back to the kernel alias.
readonly NAME_A="natfwt e2e Ä $$" NAME_B="natfwt e2e B $$"
readonly WAIT_S=20
TMP=""
NAMESPACES=()
declare -A PIDS=()

log() { printf 'e2e: %s\n' "$*" >&2; }
fail() {
  log "FAIL: $*"
  exit 1
}
skip() {
  if [[ "${CI:-}" == "true" ]]; then fail "prerequisite missing in CI: $*"; fi
  log "SKIP: $*"
  exit 77
}

# Stops one background process by PID (TERM, then KILL after 5 s) and reaps
# it. Returns its exit status.
stop_pid() {
  local pid=$1 deadline=$((SECONDS + 5)) status=0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || status=$?
  return "$status"
}

cleanup() {
  local status=$? key ns
  trap - EXIT INT TERM
  for key in "${!PIDS[@]}"; do stop_pid "${PIDS[$key]}" || true; done
  for ns in "${NAMESPACES[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done
  if [[ $status -ne 0 && $status -ne 77 && -n "$TMP" ]]; then
    for key in a b a2; do
      [[ -f "$TMP/$key.out" ]] || continue
      log "--- provider $key stdout"; cat "$TMP/$key.out" >&2
      log "--- provider $key stderr"; tail -n 40 "$TMP/$key.err" >&2
    done
  fi
  [[ -n "$TMP" ]] && rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Prerequisites ---------------------------------------------------------
[[ $(id -u) -eq 0 ]] || skip "needs root (network namespaces, TUN)"
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
command -v ip >/dev/null || skip "no ip(8)"
command -v ping >/dev/null || skip "no ping(8)"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/natfwt-e2e.XXXXXX")
ip netns add "$NS_A" 2>/dev/null || skip "cannot create network namespaces"
NAMESPACES+=("$NS_A")
ip netns add "$NS_B"
NAMESPACES+=("$NS_B")

# --- Underlay --------------------------------------------------------------
ip -n "$NS_A" link add veth-a type veth peer name veth-b netns "$NS_B"
ip -n "$NS_A" addr add "$UNDERLAY_A/24" dev veth-a
ip -n "$NS_B" addr add "$UNDERLAY_B/24" dev veth-b
for ns in "$NS_A" "$NS_B"; do
  ip -n "$ns" link set lo up
done
ip -n "$NS_A" link set veth-a up
ip -n "$NS_B" link set veth-b up

# --- Helpers ---------------------------------------------------------------

# start_provider KEY NAMESPACE LISTEN PEER NAME [options...]
start_provider() {
  local key=$1 ns=$2 listen=$3 peer=$4 name=$5
  shift 5
  mkdir -p "$TMP/state-${key:0:1}"
  ip netns exec "$ns" env NATFWT_CP_BACKEND=kernel "$PROVIDER" \
    --listen "$listen" --peer "$peer" --name "$name" --ipv4 \
    --state-dir "$TMP/state-${key:0:1}" --luid-file "$TMP/luid-${key:0:1}" \
    "$@" >"$TMP/$key.out" 2>"$TMP/$key.err" &
  PIDS[$key]=$!
}

# values KEY FIELD: every value of FIELD= printed by provider KEY so far.
values() { sed -n "s/^$2=//p" "$TMP/$1.out"; }

# await KEY FIELD COUNT: waits (polling every 50 ms, at most WAIT_S) until
# provider KEY has printed COUNT lines FIELD=...; fails if it exits first.
await() {
  local key=$1 field=$2 count=$3 deadline=$((SECONDS + WAIT_S))
  while (($(values "$key" "$field" | wc -l) < count)); do
    kill -0 "${PIDS[$key]}" 2>/dev/null || fail "provider $key exited early"
    ((SECONDS < deadline)) || fail "provider $key printed no $count $field="
    sleep 0.05
  done
}

# id_of KEY FAMILY(4|6): the provider's transport ID of that family.
id_of() {
  if [[ $2 == 6 ]]; then values "$1" transport_id | grep ':'; else
    values "$1" transport_id | grep -v ':'; fi
}

# kernel_name NAMESPACE ADDRESS: the interface that holds ADDRESS.
kernel_name() {
  ip -n "$1" -o addr show to "$2" | awk '{print $2; exit}'
}

expect_same_ids() { # KEY_LEARNING KEY_OWNER
  local learned owned
  learned=$(values "$1" peer_id | sort)
  owned=$(values "$2" transport_id | sort)
  [[ "$learned" == "$owned" ]] ||
    fail "provider $1 learned [$learned], provider $2 owns [$owned]"
}

ping_ok() { # NAMESPACE FAMILY DESTINATION
  ip netns exec "$1" ping "-$2" -c 3 -i 0.2 -w 15 "$3" >"$TMP/ping.out" ||
    fail "ping -$2 $3 from $1: $(tail -n 3 "$TMP/ping.out")"
  grep -q ' 3 received' "$TMP/ping.out" || fail "ping -$2 $3 lost replies"
}

# --- Start both providers ---------------------------------------------------
start_provider a "$NS_A" "$UNDERLAY_A:$PORT" "$UNDERLAY_B:$PORT" "$NAME_A" \
  --indicate-completion
start_provider b "$NS_B" "$UNDERLAY_B:$PORT" "$UNDERLAY_A:$PORT" "$NAME_B"
for key in a b; do
  await "$key" luid 1
  await "$key" transport_id 2
done
for key in a b; do await "$key" peer_id 2; done
expect_same_ids a b
expect_same_ids b a
A6=$(id_of a 6)
A4=$(id_of a 4)
B6=$(id_of b 6)
B4=$(id_of b 4)
readonly A6 A4 B6 B4
log "A: $A6 $A4   B: $B6 $B4"

# --- The interfaces: alias = friendly name, addresses = transport IDs -------
IF_A=$(kernel_name "$NS_A" "$A6")
IF_B=$(kernel_name "$NS_B" "$B6")
[[ -n "$IF_A" && -n "$IF_B" ]] || fail "no interface holds the transport IDs"
[[ "$(kernel_name "$NS_A" "$A4")" == "$IF_A" ]] || fail "$A4 is not on $IF_A"
ip -n "$NS_A" -d link show dev "$IF_A" | grep -qxF "    alias $NAME_A" ||
  fail "alias of $IF_A is not '$NAME_A': $(ip -n "$NS_A" -d link show dev "$IF_A")"
ip -n "$NS_B" -d link show dev "$IF_B" | grep -qxF "    alias $NAME_B" ||
  fail "alias of $IF_B is not '$NAME_B'"

# --- Traffic -------------------------------------------------------------------
ping_ok "$NS_A" 6 "$B6"
ping_ok "$NS_B" 6 "$A6"
ping_ok "$NS_A" 4 "$B4"
ping_ok "$NS_B" 4 "$A4"
log "ping: IPv6 and IPv4, both ways"

head -c 1048576 /dev/urandom >"$TMP/data"
expected="$(sha256sum "$TMP/data" | cut -d' ' -f1) 1048576"
ip netns exec "$NS_B" "$PYTHON" "$TRAFFIC" tcp-server "$B6" 5001 \
  >"$TMP/tcp.out" &
PIDS[tcp]=$!
ip netns exec "$NS_A" "$PYTHON" "$TRAFFIC" tcp-client "$B6" 5001 "$TMP/data" ||
  fail "TCP client"
wait "${PIDS[tcp]}" || fail "TCP server"
unset 'PIDS[tcp]'
[[ "$(cat "$TMP/tcp.out")" == "$expected" ]] ||
  fail "TCP data differs: got '$(cat "$TMP/tcp.out")', sent '$expected'"
log "TCP: 1 MiB A -> B over IPv6, sha256 equal"

ip netns exec "$NS_A" "$PYTHON" "$TRAFFIC" udp-echo "$A4" 5002 40 \
  >"$TMP/udp.out" &
PIDS[udp]=$!
ip netns exec "$NS_B" "$PYTHON" "$TRAFFIC" udp-client "$A4" 5002 40 ||
  fail "UDP client"
wait "${PIDS[udp]}" || fail "UDP echo server"
unset 'PIDS[udp]'
log "UDP: 40 datagrams B -> A -> B over IPv4"

# An overlay address no peer owns: REACH must say ERROR_HOST_UNREACHABLE, so
# the echo request is dropped (the reply would prove the opposite).
if ip netns exec "$NS_A" ping -6 -c 1 -W 1 fdff::1 >/dev/null; then
  fail "fdff::1 answered"
fi

# --- Restart A with its stored LUID: same interface identity ---------------
LUID_A=$(values a luid)
stop_pid "${PIDS[a]}" || fail "provider a exited with status $?"
unset 'PIDS[a]'
grep -qx 'terminated=PROVIDER_REQUEST' "$TMP/a.out" || fail "a: no TERMINATE"
grep -qx 'indicate_errors=0' "$TMP/a.out" || fail "a: indications refused"
grep -q '^packets_indicated=[1-9]' "$TMP/a.out" || fail "a: nothing indicated"
grep -q '^reach_unreachable=[1-9]' "$TMP/a.out" || fail "a: REACH never refused"
ip -n "$NS_A" -o link show dev "$IF_A" 2>/dev/null && fail "$IF_A still exists"
start_provider a2 "$NS_A" "$UNDERLAY_A:$PORT" "$UNDERLAY_B:$PORT" "$NAME_A"
await a2 transport_id 2
await a2 peer_id 2
[[ "$(values a2 luid)" == "$LUID_A" ]] || fail "LUID not reused: $(values a2 luid)"
[[ "$(id_of a2 6) $(id_of a2 4)" == "$A6 $A4" ]] || fail "transport IDs changed"
ip -n "$NS_A" -d link show dev "$(kernel_name "$NS_A" "$A6")" |
  grep -qxF "    alias $NAME_A" || fail "alias not restored"
ping_ok "$NS_B" 6 "$A6"
log "restart with --luid-file: same LUID $LUID_A, IDs and alias"

# --- SIGTERM: exit 0, TERMINATE(PROVIDER_REQUEST), interfaces gone ----------
for key in a2 b; do
  stop_pid "${PIDS[$key]}" || fail "provider $key exited with status $?"
  unset "PIDS[$key]"
  grep -qx 'terminated=PROVIDER_REQUEST' "$TMP/$key.out" ||
    fail "$key: no TERMINATE(PROVIDER_REQUEST)"
done
grep -qx 'indicate_errors=0' "$TMP/b.out" || fail "b: indications refused"
grep -q '^packets_indicated=[1-9]' "$TMP/b.out" || fail "b: nothing indicated"
for ns in "$NS_A" "$NS_B"; do
  if ip -n "$ns" -o link show | grep -v -e ' lo:' -e ' veth-'; then
    fail "interfaces left in $ns"
  fi
done
log "PASS"

#!/usr/bin/env bash
# Runs the engine example twice on loopback, as a user would from the README:
# both peers must authenticate each other and receive every message.
set -euo pipefail
binary=$(realpath "$1")
work=$(mktemp -d -t natfwt-file-peers-XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
"$binary" --identity-dir a --publish a.desc --peer b.desc --controlling --count 20 > a.out 2>&1 &
pid=$!
rc_b=0
"$binary" --identity-dir b --publish b.desc --peer a.desc --count 20 > b.out 2>&1 || rc_b=$?
rc_a=0
wait "$pid" || rc_a=$?
pid=""
cat a.out b.out
[ "$rc_a" -eq 0 ] && [ "$rc_b" -eq 0 ] || { echo "exit codes: a=$rc_a b=$rc_b"; exit 1; }
node_a=$(sed -n 's/^node_id=//p' a.out)
node_b=$(sed -n 's/^node_id=//p' b.out)
[ "$(grep -c "^received=hello #.* from ${node_b:0:8}$" a.out)" -eq 20 ] || { echo "a missed messages"; exit 1; }
[ "$(grep -c "^received=hello #.* from ${node_a:0:8}$" b.out)" -eq 20 ] || { echo "b missed messages"; exit 1; }
[ "$(stat -c %a a/identity.pem)" = 600 ] || { echo "identity file mode"; exit 1; }
grep -q '^state=secure$' a.out && grep -q '^state=secure$' b.out
echo "file_peers: both peers secure, 20 messages each way"

#!/usr/bin/env bash
# Installs natfwt into a temporary DESTDIR and builds programs against the
# installed headers and pkg-config files, as users who embed the engine or
# write a provider would: natfwt-engine.pc (C++) and cpnatfwt.pc (C).
set -euo pipefail
build=$(realpath "$1")
embed_engine=$(realpath "$2")
provider=$(realpath "$3")
work=$(mktemp -d -t natfwt-installed-XXXXXX)
trap 'rm -rf "$work"' EXIT
meson install -C "$build" --no-rebuild --destdir "$work/root" --quiet
pcdir=$(dirname "$(find "$work/root" -name natfwt-engine.pc | head -1)")
prefix=$(sed -n 's/^prefix=//p' "$pcdir/natfwt-engine.pc")
mkdir -p "$work/pc"
for pc in "$pcdir"/*.pc; do
  sed "s|^prefix=.*|prefix=$work/root$prefix|" "$pc" > "$work/pc/$(basename "$pc")"
done
export PKG_CONFIG_PATH="$work/pc"
# shellcheck disable=SC2046
g++ -std=c++20 "$embed_engine" -o "$work/embed" $(pkg-config --cflags --libs natfwt-engine)
node_id=$("$work/embed")
[[ "$node_id" =~ ^[0-9a-f]{64}$ ]] || { echo "unexpected node id: $node_id"; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -c "$provider" -o "$work/provider.o" $(pkg-config --cflags cpnatfwt)
# shellcheck disable=SC2046
cc "$work/provider.o" -o "$work/provider" $(pkg-config --libs cpnatfwt)
echo "installed headers and pkg-config files build an engine program and a provider"

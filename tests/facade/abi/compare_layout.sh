#!/usr/bin/env bash
# Copyright 2026 The natfwt Authors.
#
# The ABI layout (abi_layout.c's output) must be the same for every build:
# the meson-built C and C++ programs, plus abi_layout.c compiled here by each
# other compiler that is installed (gcc, clang, g++, clang++). On 64-bit
# Linux it must also equal the golden file, which pins the spec's layout
# (sections 3.5, 3.6, 3.9, 3.10) against accidental change.
#
# Usage: compare_layout.sh GOLDEN_LP64 INCLUDE_DIR SOURCE PROGRAM...
set -euo pipefail

readonly GOLDEN=$1 INCLUDE_DIR=$2 SOURCE=$3
shift 3
TMP=$(mktemp -d "${TMPDIR:-/tmp}/natfwt-layout.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fail() {
  echo "compare_layout: FAIL: $*" >&2
  exit 1
}

outputs=()
for program in "$@"; do
  out="$TMP/$(basename "$program").txt"
  "$program" >"$out" || fail "$program exited with $?"
  outputs+=("$out")
done
for pair in gcc:c clang:c g++:c++ clang++:c++; do
  compiler=${pair%%:*} language=${pair##*:}
  if ! command -v "$compiler" >/dev/null; then
    echo "compare_layout: $compiler not installed, not compared"
    continue
  fi
  std=-std=c11
  [[ $language == c++ ]] && std=-std=c++20
  "$compiler" -x "$language" "$std" -I "$INCLUDE_DIR" "$SOURCE" \
    -o "$TMP/$compiler" || fail "$compiler cannot build $SOURCE"
  "$TMP/$compiler" >"$TMP/$compiler.txt"
  outputs+=("$TMP/$compiler.txt")
done

for out in "${outputs[@]:1}"; do
  diff -u "${outputs[0]}" "$out" >&2 ||
    fail "$(basename "$out") disagrees with $(basename "${outputs[0]}")"
done
if [[ "$(uname -s)" == Linux && "$(getconf LONG_BIT)" == 64 ]]; then
  diff -u "$GOLDEN" "${outputs[0]}" >&2 ||
    fail "the layout differs from $GOLDEN"
fi
echo "compare_layout: ${#outputs[@]} builds agree"

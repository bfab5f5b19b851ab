#!/usr/bin/env bash
# Copyright 2026 The natfwt Authors.
#
# Compiles sources against cpnatfwt.h with one compiler in one language mode,
# warnings as errors, syntax only. meson can use one compiler per language,
# so the abi suite calls this once per (compiler, language) pair: gcc, clang,
# g++, clang++ and the mingw-w64 cross compilers (Windows SDK headers).
#
# Usage: compile_check.sh COMPILER c|c++ INCLUDE_DIR SOURCE...
# Exit: 0 pass, 1 fail, 77 when COMPILER is not installed (1 when CI=true).
set -euo pipefail

readonly COMPILER=$1 LANGUAGE=$2 INCLUDE_DIR=$3
shift 3

if ! command -v "$COMPILER" >/dev/null; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "compile_check: $COMPILER missing in CI" >&2
    exit 1
  fi
  echo "compile_check: SKIP: $COMPILER is not installed" >&2
  exit 77
fi

flags=(-Wall -Wextra -Wpedantic -Werror -Wundef -Wshadow -fsyntax-only
       -I "$INCLUDE_DIR")
case "$LANGUAGE" in
  c) flags+=(-x c -std=c11 -Wstrict-prototypes) ;;
  c++) flags+=(-x c++ -std=c++20) ;;
  *) echo "compile_check: language must be c or c++" >&2; exit 1 ;;
esac

for source in "$@"; do
  echo "$COMPILER ${flags[*]} $source"
  "$COMPILER" "${flags[@]}" "$source"
done

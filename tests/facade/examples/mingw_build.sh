#!/usr/bin/env bash
# Copyright 2026 The natfwt Authors.
#
# The sample providers compile unchanged for Windows: every source of
# facade/examples (with example_os_win32.c instead of example_os_posix.c) is
# built by mingw-w64 as strict C11 with warnings as errors. For x86-64 the
# programs are also linked, against an import library made from natfwt's
# .def file and Winsock's ws2_32, which proves every Windows API they call
# exists. (32-bit x86 is compiled only: stdcall exports need decorated names
# in the .def before an import library can be made.)
#
# Usage: mingw_build.sh EXAMPLES_DIR INCLUDE_DIR CPNATFWT_DEF
# Exit: 0 pass, 1 fail, 77 when mingw-w64 is not installed (1 when CI=true).
set -euo pipefail

readonly EXAMPLES=$1 INCLUDE_DIR=$2
DEF_FILE=$(realpath "$3")
readonly DEF_FILE
readonly FLAGS=(-std=c11 -Wall -Wextra -Wpedantic -Werror -Wformat=2 -Wundef
                -Wmissing-prototypes -Wstrict-prototypes -I "$INCLUDE_DIR")
readonly COMMON=(example_common.c example_net.c example_os_win32.c)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/natfwt-mingw.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "mingw_build: mingw-w64 missing in CI" >&2
    exit 1
  fi
  echo "mingw_build: SKIP: mingw-w64 is not installed" >&2
  exit 77
fi

cd "$EXAMPLES"
x86_64-w64-mingw32-dlltool -d "$DEF_FILE" -D cpnatfwt.dll \
  -l "$TMP/libcpnatfwt.dll.a"
for program in udp_provider null_provider; do
  x86_64-w64-mingw32-gcc "${FLAGS[@]}" "${COMMON[@]}" "$program.c" \
    -L "$TMP" -lcpnatfwt.dll -lws2_32 -o "$TMP/$program.exe"
  echo "mingw_build: x86-64 $program.exe linked"
done
if command -v i686-w64-mingw32-gcc >/dev/null; then
  for source in "${COMMON[@]}" udp_provider.c null_provider.c; do
    i686-w64-mingw32-gcc "${FLAGS[@]}" -c "$source" -o "$TMP/${source%.c}.o"
  done
  echo "mingw_build: x86 sources compiled"
fi

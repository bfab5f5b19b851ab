#!/usr/bin/env bash
# Copyright 2026 The natfwt Authors.
#
# cpnatfwt.dll exports exactly the symbols of facade/cpnatfwt.sym (the five
# CPNatfwt* functions, spec 2.1), by name, and imports nothing but Windows
# system DLLs (no MinGW runtime DLL has to ship beside it).
#
# Usage: check_exports_pe.sh DLL SYMBOL_FILE
set -euo pipefail

readonly DLL=$1 SYMBOL_FILE=$2
readonly OBJDUMP=x86_64-w64-mingw32-objdump
fail() {
  echo "check_exports_pe: FAIL: $*" >&2
  exit 1
}
command -v "$OBJDUMP" >/dev/null || {
  [[ "${CI:-}" == "true" ]] && fail "$OBJDUMP missing in CI"
  echo "check_exports_pe: SKIP: no $OBJDUMP" >&2
  exit 77
}

expected=$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$SYMBOL_FILE" |
  tr -d '[:blank:]' | sort)
dump=$("$OBJDUMP" -p "$DLL")
# The export name table: "[   0] CPNatfwtCreateProviderInstance".
actual=$(sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' <<<"$dump" |
  sed -n 's/^[[:space:]]*\[[[:space:]]*[0-9]*\][[:space:]]*//p' | sort)
[[ -n "$actual" ]] || fail "no export table in $DLL"
[[ "$actual" == "$expected" ]] ||
  fail "exports differ from $SYMBOL_FILE:
$(diff <(echo "$expected") <(echo "$actual") || true)"
imports=$(sed -n 's/^[[:space:]]*DLL Name: //p' <<<"$dump" | tr 'A-Z' 'a-z' | sort -u)
for dll in $imports; do
  case "$dll" in
    kernel32.dll | advapi32.dll | ws2_32.dll | iphlpapi.dll | bcrypt.dll | \
      dbghelp.dll | msvcrt.dll | ucrtbase.dll | api-ms-win-*) ;;
    *) fail "imports $dll, which is not part of Windows" ;;
  esac
done
echo "check_exports_pe: $(wc -l <<<"$actual") exports, as listed:" \
  "${actual//$'\n'/ }; imports: ${imports//$'\n'/ }"

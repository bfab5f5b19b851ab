#!/usr/bin/env bash
# Copyright 2026 The natfwt Authors.
#
# libcpnatfwt exports exactly the symbols listed in facade/cpnatfwt.sym (the
# five CPNatfwt* functions, spec 2.1), all as functions in the CPNATFWT_1
# version node; everything else is hidden. Its SONAME is libcpnatfwt.so.1.
#
# Usage: check_exports.sh LIBRARY SYMBOL_FILE
set -euo pipefail

readonly LIBRARY=$1 SYMBOL_FILE=$2
fail() {
  echo "check_exports: FAIL: $*" >&2
  exit 1
}
for tool in nm readelf; do
  command -v "$tool" >/dev/null || {
    [[ "${CI:-}" == "true" ]] && fail "$tool missing in CI"
    echo "check_exports: SKIP: no $tool" >&2
    exit 77
  }
done

expected=$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$SYMBOL_FILE" |
  tr -d '[:blank:]' | sort)
# Defined dynamic symbols, without the version node's own absolute symbol.
listing=$(nm -D --defined-only "$LIBRARY" | awk '$2 != "A" {print $2, $3}')
actual=$(awk '{print $2}' <<<"$listing" | sed 's/@.*//' | sort)
[[ "$actual" == "$expected" ]] ||
  fail "exports differ from $SYMBOL_FILE:
$(diff <(echo "$expected") <(echo "$actual") || true)"
awk '$1 != "T" {bad = 1} END {exit bad}' <<<"$listing" ||
  fail "an export is not a function: $listing"
grep -qv '@@CPNATFWT_1$' <<<"$(awk '{print $2}' <<<"$listing")" &&
  fail "an export is outside the CPNATFWT_1 version node"
readelf -d "$LIBRARY" | grep -q 'Library soname: \[libcpnatfwt\.so\.1\]' ||
  fail "SONAME is not libcpnatfwt.so.1"
echo "check_exports: $(wc -l <<<"$actual") exports, as listed: ${actual//$'\n'/ }"

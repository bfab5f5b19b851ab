#!/usr/bin/env bash
# natfwt's whole test suite: install what is missing, build, and run every
# suite (unit, integration, netns, abi, fuzz) in the normal build, then the
# unit suites again under ASan+UBSan and under valgrind, then the Windows
# cross build's tests under Wine (tools/scripts/windows_cross.sh).
# Tests needing root or network namespaces run when this runs as root; as
# another user meson reports them SKIPPED (exit 77). With CI=true a missing
# prerequisite fails instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/deps.sh
natfwt_install_deps

status=0
run() {
  echo "==> $*"
  "$@" || status=1
}

natfwt_build build
run meson test -C build --print-errorlogs --num-processes 2

natfwt_build build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
run meson test -C build-asan --setup=asan --print-errorlogs --suite unit

run meson test -C build --setup=valgrind --print-errorlogs --suite unit

# The Windows build of the facade, platform layer and sample providers
# (mingw-w64 cross build), its unit, contract and lifecycle tests under Wine.
run tools/scripts/windows_cross.sh build-win

if [ $status -ne 0 ]; then
  echo "natfwt: some tests FAILED (see above)" >&2
fi
exit $status

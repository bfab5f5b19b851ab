#!/usr/bin/env bash
# Copyright 2026 The natfwt Authors.
#
# The Windows half of the test suite, from Linux: cross-builds the facade
# (cpnatfwt.dll, its import library), the platform layer, the sample
# providers and the facade's unit and contract tests with mingw-w64, and runs
# those tests under Wine (`meson test` with Wine as the exe_wrapper).
#
#   tools/scripts/windows_cross.sh [--deps-only] [BUILD_DIR]
#                                   (default BUILD_DIR: build-win)
#
# What it does, each step only when needed:
#   1. installs mingw-w64, wine (wine64), cmake and dpkg-dev with apt-get;
#   2. builds the dependencies Debian does not ship for Windows into
#      BUILD_DIR/deps/prefix, once (a stamp names the versions): Abseil from
#      Debian's own source package (`apt-get source abseil`, the same
#      20220623 release and patches as libabsl-dev) and GoogleTest from
#      /usr/src/googletest (libgtest-dev);
#   3. creates a Wine prefix in BUILD_DIR/wine (WINEPREFIX, `wineboot -i`);
#   4. `meson setup BUILD_DIR --cross-file tools/cross/x86_64-w64-mingw32.ini`,
#      ninja, `meson test`.
# The engine, libnice and tools/natfwt are not part of the Windows build.
#
# Environment: NATFWT_DEBIAN_MIRROR (default http://deb.debian.org/debian)
# for the source package; CI=true makes a missing tool an error, not a skip.
# Exit status: meson test's (0 when every test passed or skipped).
set -euo pipefail
cd "$(dirname "$0")/../.."
readonly SOURCE_ROOT=$PWD
DEPS_ONLY=""
if [[ "${1:-}" == "--deps-only" ]]; then
  DEPS_ONLY=1
  shift
fi
BUILD=${1:-build-win}
mkdir -p "$BUILD"
BUILD=$(realpath "$BUILD")
readonly BUILD DEPS=$BUILD/deps
readonly PREFIX=$DEPS/prefix
readonly TRIPLET=x86_64-w64-mingw32
readonly CROSS_FILE=$SOURCE_ROOT/tools/cross/$TRIPLET.ini
# Bump when build_abseil/build_googletest change: the prefix is rebuilt.
readonly DEPS_RECIPE=2

log() { printf 'windows_cross: %s\n' "$*" >&2; }

# --- 1. Tools ------------------------------------------------------------------
install_tools() {
  local packages=(mingw-w64 g++-mingw-w64-x86-64-posix wine wine64 cmake
                  dpkg-dev ninja-build meson pkg-config libgtest-dev)
  local missing=() pkg
  for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
      grep -q "install ok installed" || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing ${missing[*]}"
  local sudo=()
  [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# --- 2. Abseil and GoogleTest for mingw-w64 --------------------------------------
write_toolchain() {
  cat >"$DEPS/toolchain.cmake" <<TOOLCHAIN
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER $TRIPLET-gcc-posix)
set(CMAKE_CXX_COMPILER $TRIPLET-g++-posix)
set(CMAKE_RC_COMPILER $TRIPLET-windres)
set(CMAKE_FIND_ROOT_PATH /usr/$TRIPLET)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
TOOLCHAIN
}

# Runs apt-get with a private deb-src list and private state, so the
# machine's own apt configuration and caches are left alone.
apt_source() {
  local apt_dir=$DEPS/apt codename mirror
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  mirror=${NATFWT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  echo "deb-src $mirror $codename main" >"$apt_dir/sources.list"
  local options=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
                 -o "Dir::Etc::SourceParts=/dev/null"
                 -o "Dir::State::Lists=$apt_dir/lists"
                 -o "Dir::Cache=$apt_dir/cache"
                 -o "APT::Sandbox::User=root")
  apt-get -qq "${options[@]}" update
  apt-get -qq "${options[@]}" source --download-only "$@"
}

build_abseil() {
  local version src=$DEPS/src/abseil
  version=$(dpkg-query -W -f='${source:Version}' libabsl-dev 2>/dev/null || true)
  rm -rf "$DEPS/src" && mkdir -p "$DEPS/src"
  (
    cd "$DEPS/src"
    # The installed libabsl-dev's exact source; the newest one otherwise.
    apt_source "abseil${version:+=$version}" >/dev/null ||
      apt_source abseil >/dev/null
    # apt-get verified the files against the signed Sources index; the .dsc's
    # own signature would need debian-keyring, so dpkg-source skips it.
    dpkg-source -x --no-check ./abseil_*.dsc abseil >/dev/null
  )
  # Debian's patches stay applied (ABSL_OPTION_USE_STD_* = 0, as on Linux),
  # except latomic.diff: armel's libatomic, with ELF-only linker flags.
  patch -d "$src" -R -p1 -s <"$src/debian/patches/latomic.diff"
  cmake -S "$src" -B "$DEPS/build-abseil" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$DEPS/toolchain.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_STANDARD=17 \
    -DABSL_PROPAGATE_CXX_STD=ON -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTING=OFF \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" >"$DEPS/abseil-cmake.log"
  ninja -C "$DEPS/build-abseil" install >"$DEPS/abseil-build.log"
  # Abseil's CMake writes Windows system libraries as bare quoted names
  # ("advapi32") into Libs:, which only MSVC understands.
  sed -i -E '/^Libs:/ s/"([A-Za-z0-9_]+)"/-l\1/g' "$PREFIX"/lib/pkgconfig/absl_*.pc
}

# Headers of the prefix are system headers, as /usr/include's are on Linux:
# -Wpedantic -Werror must not judge Abseil's (__int128) or GoogleTest's code.
mark_system_headers() {
  sed -i 's/-I\${includedir}/-isystem ${includedir}/g' "$PREFIX"/lib/pkgconfig/*.pc
}

build_googletest() {
  cmake -S /usr/src/googletest -B "$DEPS/build-googletest" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$DEPS/toolchain.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_STANDARD=17 \
    -DBUILD_SHARED_LIBS=OFF -Dgtest_disable_pthreads=ON \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" >"$DEPS/googletest-cmake.log"
  ninja -C "$DEPS/build-googletest" install >"$DEPS/googletest-build.log"
}

build_deps() {
  local stamp key
  key="abseil=$(dpkg-query -W -f='${source:Version}' libabsl-dev 2>/dev/null)"
  key+=" gtest=$(dpkg-query -W -f='${Version}' libgtest-dev)"
  key+=" gcc=$($TRIPLET-g++-posix -dumpversion)"
  key+=" recipe=$DEPS_RECIPE"
  stamp=$DEPS/prefix.stamp
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$key" ]]; then
    log "dependencies up to date ($PREFIX)"
  else
    local start=$SECONDS
    log "building Abseil and GoogleTest for $TRIPLET into $PREFIX"
    rm -rf "$PREFIX" "$DEPS/build-abseil" "$DEPS/build-googletest" "$stamp"
    mkdir -p "$DEPS"
    write_toolchain
    build_abseil
    build_googletest
    mark_system_headers
    echo "$key" >"$stamp"
    log "dependencies built in $((SECONDS - start)) s"
  fi
  cat >"$DEPS/deps.ini" <<INI
# Written by tools/scripts/windows_cross.sh: where the mingw-w64 builds of
# Abseil and GoogleTest are.
[properties]
pkg_config_libdir = ['$PREFIX/lib/pkgconfig']
INI
}

# --- 3. Wine -----------------------------------------------------------------------
export WINEPREFIX=$BUILD/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
start_wine() {
  mkdir -p "$WINEPREFIX"
  # One persistent wineserver for this prefix for the whole run: each test
  # program then starts in a fraction of a second. `wineserver -k` at exit
  # stops it (this prefix's server only).
  wineserver -p </dev/null >/dev/null 2>&1 || true
  trap 'wineserver -k </dev/null >/dev/null 2>&1 || true' EXIT
  if [[ ! -f "$WINEPREFIX/.natfwt-initialised" ]]; then
    log "initialising the Wine prefix $WINEPREFIX"
    wineboot -i </dev/null >/dev/null 2>&1
    touch "$WINEPREFIX/.natfwt-initialised"
  fi
  # Start Wine's own services (services.exe, winedevice.exe, ...) now, with
  # no stdio: started by the first test instead, they would inherit its
  # output pipe and meson would wait for them until the test times out.
  wineboot </dev/null >/dev/null 2>&1
}

# --- 4. Build and test ---------------------------------------------------------------
main() {
  local start=$SECONDS status=0
  install_tools
  build_deps
  [[ -z "$DEPS_ONLY" ]] || return 0
  if [[ ! -f "$BUILD/build.ninja" ]]; then
    meson setup "$BUILD" --wrap-mode=nodownload -Dwerror=true \
      --cross-file "$CROSS_FILE" --cross-file "$DEPS/deps.ini"
  fi
  ninja -C "$BUILD"
  start_wine
  meson test -C "$BUILD" --print-errorlogs --num-processes 2 || status=$?
  log "done in $((SECONDS - start)) s (status $status)"
  return "$status"
}

main

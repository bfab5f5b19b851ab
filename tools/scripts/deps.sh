#!/usr/bin/env bash
# Installs the Debian 12 packages natfwt builds and tests with, if any is
# missing. Needs root (or sudo). Sourced by main.sh and test.sh.
set -euo pipefail

NATFWT_PACKAGES=(
  # build
  meson ninja-build pkg-config g++ clang clang-format
  libnice-dev libglib2.0-dev libssl-dev libabsl-dev libgtest-dev libgmock-dev
  # tests and the NAT lab
  valgrind coturn iproute2 iptables nftables conntrack iputils-ping procps
  libnetfilter-queue-dev
  mingw-w64 python3 glib-networking
  # benchmarks (lab_bench, lab_tunnel_bench): iperf3, and the tunnels natfwt
  # is compared with
  iperf3 wireguard-go wireguard-tools nebula tinc
)

natfwt_install_deps() {
  local missing=()
  for pkg in "${NATFWT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "natfwt: installing ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# natfwt_build DIR [meson options...]: configures DIR once, then builds it.
natfwt_build() {
  local dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" --wrap-mode=nodownload -Dwerror=true "$@"
  fi
  ninja -C "$dir"
}

#!/usr/bin/env bash
# Installs every Debian package backorder needs to build, run and test.
# Skips apt entirely when everything is already there (a warm machine stays fast).
set -euo pipefail
pkgs=(
  build-essential clang meson ninja-build pkg-config
  libsqlite3-dev libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libssl-dev libpq-dev
  libcmocka-dev
  python3-pytest python3-requests
  postgresql
  wrk
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Installs the Debian packages Lethe needs, only those missing, through sudo when not root.
set -euo pipefail
pkgs=(liblua5.4-dev lua5.4 libopenblas-dev libedit-dev zlib1g-dev libjpeg-dev libpng-dev dataset-fashion-mnist)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "lethe: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null

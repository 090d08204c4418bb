#!/usr/bin/env bash
# Installs the Debian packages Lethe needs, only those missing, through sudo when not root.
#   scripts/install-deps.sh           what building and running Lethe needs
#   scripts/install-deps.sh --slurm   also Slurm and munge, for the cluster tests and
#                                     scripts/slurm-local.sh (a one-node cluster; docs/cluster.md)
set -euo pipefail
# libsvm-dev: the membership-inference attack's SVC; librsvg2-bin: rsvg-convert, which the report tests
# render the charts with.
pkgs=(liblua5.4-dev lua5.4 libopenblas-dev libedit-dev zlib1g-dev libjpeg-dev libpng-dev dataset-fashion-mnist
  libsvm-dev librsvg2-bin)
# slurmctld, slurmd and the clients (slurm-wlm), and munge, which Slurm authenticates with;
# installed without recommends (slurm-wlm recommends its plugins' development headers).
slurm_pkgs=()
[ "${1:-}" = "--slurm" ] && slurm_pkgs=(slurm-wlm munge)
missing() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
mapfile -t missing_pkgs < <(missing "${pkgs[@]}")
mapfile -t missing_slurm < <(missing "${slurm_pkgs[@]}")
[ ${#missing_pkgs[@]} -eq 0 ] && [ ${#missing_slurm[@]} -eq 0 ] && exit 0
echo "lethe: installing ${missing_pkgs[*]} ${missing_slurm[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
[ ${#missing_pkgs[@]} -eq 0 ] || $sudo apt-get install -y -qq "${missing_pkgs[@]}" >/dev/null
[ ${#missing_slurm[@]} -eq 0 ] || $sudo apt-get install -y -qq --no-install-recommends "${missing_slurm[@]}" >/dev/null

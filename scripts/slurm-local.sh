#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for Lethe's cluster tests and for trying
# `lethe submit --slurm` without a real cluster (docs/cluster.md).
#
#   scripts/slurm-local.sh start    install slurm-wlm and munge when missing, start munged,
#                                   slurmctld and slurmd (directly, no systemd); does nothing
#                                   when they already run; waits until the node takes jobs
#   scripts/slurm-local.sh stop     stop the daemons this script started (munged only when
#                                   this script started it)
#   scripts/slurm-local.sh status   say what runs; exit 0 when the cluster takes jobs
#   scripts/slurm-local.sh env      print `export SLURM_CONF=...` for the clients (sbatch, squeue)
#
# Everything lives in $LETHE_SLURM_DIR (default /tmp/lethe-slurm): slurm.conf, state, spool,
# logs, pid files, the job-completion log that `sacct --completion` reads. The system's
# /etc/slurm is never touched, so clients need SLURM_CONF (the `env` command prints it).
# Daemons run as root (through sudo when the caller is not root); munged runs as the munge user.
set -euo pipefail

DIR=${LETHE_SLURM_DIR:-/tmp/lethe-slurm}
CONF=$DIR/slurm.conf
export SLURM_CONF=$CONF
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
here=$(cd "$(dirname "$0")" && pwd)

log() { echo "slurm-local: $*" >&2; }

# A daemon's pid from its pid file, when that process is alive.
alive() {
  local pidfile=$1 pid
  [ -r "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

# Runs a daemon holding none of this script's open files: whoever waits for this script (a test
# harness watching a descriptor it handed down, a pipe into `tee`) must not wait for the daemon.
detached() {
  (
    for fd in /proc/$BASHPID/fd/*; do
      n=${fd##*/}
      [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-"
    done
    exec "$@" </dev/null >/dev/null 2>&1
  )
}

cluster_ready() {
  [ -r "$CONF" ] || return 1
  scontrol ping 2>/dev/null | grep -q "is UP" || return 1
  local state
  state=$(sinfo -h -N -o "%t" 2>/dev/null | head -n1)
  case "$state" in idle* | mix* | alloc*) return 0 ;; *) return 1 ;; esac
}

install_missing() {
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
    || ! command -v munged >/dev/null; then
    log "installing slurm-wlm and munge"
    bash "$here/install-deps.sh" --slurm
  fi
}

write_conf() {
  local host node
  host=$(hostname -s)
  # The node line as slurmd sees this machine (CPUs, sockets, cores, memory).
  node=$(slurmd -C | head -n1)
  $sudo mkdir -p "$DIR/state" "$DIR/spool"
  $sudo tee "$CONF" >/dev/null <<EOF
# Written by scripts/slurm-local.sh: a one-node cluster for tests.
ClusterName=lethe-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
KillWait=5
MinJobAge=3600
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  install_missing
  if [ -r "$CONF" ] && alive "$DIR/slurmctld.pid" && alive "$DIR/slurmd.pid" && cluster_ready; then
    log "already running ($CONF)"
    return 0
  fi
  if ! munge_works; then
    $sudo mkdir -p /run/munge
    $sudo chown munge:munge /run/munge
    $sudo chmod 755 /run/munge
    if [ ! -s /etc/munge/munge.key ]; then
      $sudo mungekey --create --force >/dev/null 2>&1 || $sudo /usr/sbin/mungekey --create --force
      $sudo chown munge:munge /etc/munge/munge.key
      $sudo chmod 400 /etc/munge/munge.key
    fi
    $sudo mkdir -p "$DIR"
    detached $sudo runuser -u munge -- munged --pid-file=/run/munge/munged.pid
    echo started | $sudo tee "$DIR/munged.ours" >/dev/null
    for _ in $(seq 50); do munge_works && break; sleep 0.1; done
    munge_works || { log "munged did not start"; return 1; }
  fi
  if ! alive "$DIR/slurmctld.pid" || ! alive "$DIR/slurmd.pid"; then
    write_conf
  fi
  alive "$DIR/slurmctld.pid" || detached $sudo slurmctld -f "$CONF"
  alive "$DIR/slurmd.pid" || detached $sudo slurmd -f "$CONF"
  for _ in $(seq 300); do
    cluster_ready && { log "running ($CONF)"; return 0; }
    sleep 0.1
  done
  # A node left DOWN or DRAINED by an earlier run comes back explicitly.
  $sudo scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true
  for _ in $(seq 100); do
    cluster_ready && { log "running ($CONF)"; return 0; }
    sleep 0.1
  done
  log "the cluster did not come up; see $DIR/slurmctld.log and $DIR/slurmd.log"
  sinfo -N >&2 || true
  return 1
}

stop_daemon() {
  local name=$1 pidfile=$2 pid
  alive "$pidfile" || return 0
  pid=$(cat "$pidfile")
  $sudo kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  log "$name ($pid) did not stop after 10 s; killing it"
  $sudo kill -9 "$pid" 2>/dev/null || true
}

stop() {
  stop_daemon slurmd "$DIR/slurmd.pid"
  stop_daemon slurmctld "$DIR/slurmctld.pid"
  if [ -e "$DIR/munged.ours" ]; then
    stop_daemon munged /run/munge/munged.pid
    $sudo rm -f "$DIR/munged.ours"
  fi
  log "stopped"
}

status() {
  local ok=0
  alive "$DIR/slurmctld.pid" && echo "slurmctld: running (pid $(cat "$DIR/slurmctld.pid"))" || { echo "slurmctld: stopped"; ok=1; }
  alive "$DIR/slurmd.pid" && echo "slurmd: running (pid $(cat "$DIR/slurmd.pid"))" || { echo "slurmd: stopped"; ok=1; }
  munge_works && echo "munge: working" || { echo "munge: not working"; ok=1; }
  if [ $ok -eq 0 ] && cluster_ready; then
    echo "cluster: takes jobs (SLURM_CONF=$CONF)"
    sinfo
  else
    echo "cluster: not ready"
    ok=1
  fi
  return $ok
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac

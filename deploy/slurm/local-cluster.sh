#!/usr/bin/env bash
# A private one-node Slurm cluster on loopback, for CI and for trying the
# array job on a workstation. Nothing is written under /etc: the munge key,
# sockets, slurm.conf, state and logs live in one folder.
#
#   deploy/slurm/local-cluster.sh install      # apt-get install slurm-wlm munge (root)
#   deploy/slurm/local-cluster.sh start DIR    # start munged, slurmctld, slurmd
#   source DIR/env                             # SLURM_CONF for sbatch/squeue/...
#   deploy/slurm/local-cluster.sh stop DIR     # stop what start started
set -euo pipefail

cmd=${1:-}
dir=${2:-}

install() {
  if command -v slurmctld >/dev/null && command -v munged >/dev/null; then
    return
  fi
  local sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q slurm-wlm munge
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
  mkdir -p "$dir"/{state,spool,log}
  dir=$(cd "$dir" && pwd)
  local host cpus mem ctld_port d_port
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
  ctld_port=$(free_port)
  d_port=$(free_port)

  # munge: a fresh key and a private socket.
  dd if=/dev/urandom bs=1 count=1024 of="$dir/munge.key" status=none
  chmod 600 "$dir/munge.key"
  munged --key-file="$dir/munge.key" --socket="$dir/munge.sock" \
    --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge.seed" --force

  cat >"$dir/slurm.conf" <<CONF
ClusterName=stoploss-ci
SlurmctldHost=${host}(127.0.0.1)
SlurmctldPort=${ctld_port}
SlurmdPort=${d_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=${dir}/munge.sock
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
MpiDefault=none
ReturnToService=2
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/slurmctld.pid
SlurmdPidFile=${dir}/slurmd.pid
SlurmctldLogFile=${dir}/log/slurmctld.log
SlurmdLogFile=${dir}/log/slurmd.log
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
MinJobAge=600
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=ci Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
  echo "export SLURM_CONF=$dir/slurm.conf" >"$dir/env"

  slurmctld -f "$dir/slurm.conf"
  slurmd -f "$dir/slurm.conf"
  # Wait until the node accepts work.
  export SLURM_CONF="$dir/slurm.conf"
  for _ in $(seq 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "slurm: node up ($cpus CPUs, ${mem} MB) in $dir"
      return
    fi
    sleep 0.5
  done
  echo "slurm: node did not come up; logs in $dir/log" >&2
  sinfo >&2 || true
  tail -n 20 "$dir"/log/*.log >&2 || true
  exit 1
}

stop() {
  dir=$(cd "$dir" && pwd)
  for pidfile in slurmd.pid slurmctld.pid munged.pid; do
    if [ -s "$dir/$pidfile" ]; then
      kill "$(cat "$dir/$pidfile")" 2>/dev/null || true
    fi
  done
  # Give the daemons a moment to exit, then make sure.
  sleep 1
  for pidfile in slurmd.pid slurmctld.pid munged.pid; do
    if [ -s "$dir/$pidfile" ] && kill -0 "$(cat "$dir/$pidfile")" 2>/dev/null; then
      kill -9 "$(cat "$dir/$pidfile")" 2>/dev/null || true
    fi
  done
}

case "$cmd" in
  install) install ;;
  start) [ -n "$dir" ] || { echo "usage: $0 start DIR" >&2; exit 2; }; start ;;
  stop) [ -n "$dir" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop ;;
  *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
esac

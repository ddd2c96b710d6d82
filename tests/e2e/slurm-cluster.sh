#!/usr/bin/env bash
# A throw-away one-node Slurm cluster for the end-to-end test (root only):
#   slurm-cluster.sh start DIR   writes DIR/slurm.conf, starts munged, slurmctld
#                                and slurmd with every file under DIR, waits
#                                (bounded) until the node answers, prints
#                                "SLURM_CONF=DIR/slurm.conf" and "NODE=name"
#   slurm-cluster.sh stop DIR    stops them (SIGTERM, then SIGKILL), by the pids recorded in DIR
# Ports come from the caller (GPUENV_SLURM_PORT, default 26817/26818), never the defaults 6817/6818.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?directory}

stop() {
  for name in slurmd slurmctld munged; do
    local pidf="$dir/run/$name.pid"
    [[ -f $pidf ]] || continue
    local pid
    pid=$(cat "$pidf")
    [[ -n $pid ]] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidf"
  done
}

if [[ $cmd == stop ]]; then
  stop
  exit 0
fi

[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 3; }
for p in munged slurmctld slurmd srun scontrol; do
  command -v "$p" >/dev/null || [[ -x /usr/sbin/$p ]] || { echo "$p not installed" >&2; exit 3; }
done
export PATH=$PATH:/usr/sbin
port=${GPUENV_SLURM_PORT:-26817}
mkdir -p "$dir"/{state,spool,log,run,munge}
chmod 700 "$dir/munge"
node=$(hostname -s)
cpus=$(nproc)

# munge: its own key and socket, so a system munged (if any) is left alone.
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"
for _ in $(seq 50); do [[ -s $dir/munge/munged.pid ]] && break; sleep 0.1; done
cp "$dir/munge/munged.pid" "$dir/run/munged.pid"

cat > "$dir/slurm.conf" <<CONF
ClusterName=gpuenvtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf

trap 'stop; echo "slurm did not come up; logs:" >&2; tail -n 20 "$dir"/log/*.log >&2 || true' ERR
slurmctld -c -f "$SLURM_CONF" >"$dir/log/slurmctld.out" 2>&1
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.1; done
slurmd -f "$SLURM_CONF" >"$dir/log/slurmd.out" 2>&1
ok=0
for _ in $(seq 150); do
  if sinfo -h -n "$node" -o %t 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then ok=1; break; fi
  sleep 0.2
done
if [[ $ok != 1 ]]; then false; fi
trap - ERR
echo "SLURM_CONF=$SLURM_CONF"
echo "NODE=$node"

#!/usr/bin/env bash
# One command to a working single-node cluster: installs what is missing (Debian packages, npm
# dependencies), builds, and starts `k8ts server`. Extra arguments go to `k8ts server`.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1mk8ts:\033[0m %s\n' "$*"; }

say "checking the Debian packages a node needs"
bash scripts/install-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  say "installing npm dependencies (npm ci; better-sqlite3 builds from source, ~90 s)"
  npm ci --no-audit --no-fund
fi
say "building"
npm run build >/dev/null
data_dir=/var/lib/k8ts
prev=
for arg in "$@"; do
  case "$arg" in --data-dir=*|-d=*) data_dir=${arg#*=};; esac
  case "$prev" in --data-dir|-d) data_dir=$arg;; esac
  prev=$arg
done
say "starting k8ts server (data in $data_dir); Ctrl-C stops it"
# The node flags of src/cli/node-flags.ts (main.js's #! line has them too).
node --max-semi-space-size=32 dist/src/cli/main.js server "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
kc=(kubectl --kubeconfig "$data_dir/kubeconfig.yaml")
agent=1
for arg in "$@"; do [ "$arg" = --disable-agent ] && agent=0; done
ready=0
for _ in $(seq 1 600); do
  kill -0 $pid 2>/dev/null || { say "k8ts server exited"; wait $pid; exit 1; }
  if [ -f "$data_dir/kubeconfig.yaml" ] && "${kc[@]}" get --raw /readyz >/dev/null 2>&1; then
    if [ $agent = 0 ] || "${kc[@]}" get nodes --no-headers 2>/dev/null | grep -q ' Ready '; then ready=1; break; fi
  fi
  sleep 0.1
done
if [ $ready = 1 ]; then
  [ $agent = 1 ] && "${kc[@]}" get nodes -o wide
  say "cluster ready. Use it with:"
  echo
  echo "  export KUBECONFIG=$data_dir/kubeconfig.yaml"
  echo "  kubectl get nodes"
  echo "  kubectl create deployment web --image=nginx --replicas=3"
  echo "  (examples/README.md walks through the seed walkthroughs; no registry needed)"
  echo
else
  say "the cluster is not ready after 60 s; see the server's log above"
fi
wait $pid

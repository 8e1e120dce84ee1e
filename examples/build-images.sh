#!/usr/bin/env bash
# Builds every example's image without Docker: each app is a static Go binary (Debian's
# golang-go, standard library only, CGO_ENABLED=0), packed alone into a one-layer image by
# `k8ts image build`.
#
#   examples/build-images.sh                  build and import into the node's containerd
#                                             (--data-dir, default /var/lib/k8ts, as k8ts image)
#   examples/build-images.sh --output DIR     write one OCI archive per image name into DIR,
#                                             and DIR/images.txt ("ARCHIVE NAME" per line), for
#                                             `skopeo copy oci-archive:DIR/ARCHIVE docker://REGISTRY/NAME`
#
# K8TS overrides the k8ts command (default: `k8ts` on PATH, else this checkout's
# dist/src/cli/main.js). GO overrides the go command.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
output=""
data_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --output|-o) output="$2"; shift 2 ;;
    --data-dir|-d) data_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "build-images.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -n "${K8TS:-}" ]; then
  read -r -a k8ts <<<"$K8TS"
elif command -v k8ts >/dev/null 2>&1; then
  k8ts=(k8ts)
else
  k8ts=(node "$here/../dist/src/cli/main.js")
fi
go="${GO:-go}"
command -v "$go" >/dev/null 2>&1 || { echo "build-images.sh: no go; apt-get install golang-go" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOCACHE="${GOCACHE:-$work/gocache}" GOFLAGS="${GOFLAGS:-} -trimpath" CGO_ENABLED=0 GOOS=linux
[ -n "$output" ] && mkdir -p "$output" && : > "$output/images.txt"

# image APP_DIR BINARY NAME [k8ts image build flags…]: builds APP_DIR's binary as /BINARY in an
# otherwise empty root, and packs that root as NAME.
image() {
  local app="$1" bin="$2" name="$3"; shift 3
  local root="$work/root-${name//[\/:]/_}"
  mkdir -p "$root/tmp"
  chmod 1777 "$root/tmp"
  # One build per app, copied into each of its images.
  [ -f "$work/bin-$app" ] || (cd "$here/$app/app" && "$go" build -ldflags='-s -w' -o "$work/bin-$app" .)
  cp "$work/bin-$app" "$root/$bin"
  if [ -n "$output" ]; then
    local file="${name//[\/:]/_}.tar"
    "${k8ts[@]}" image build -t "$name" --entrypoint "/$bin" "$@" --output "$output/$file" "$root"
    echo "$file $name" >> "$output/images.txt"
  else
    "${k8ts[@]}" image build -t "$name" --entrypoint "/$bin" "$@" ${data_dir:+--data-dir "$data_dir"} "$root"
  fi
}

# 00: the seed's <image-tag>; v2 is the same program saying v2 (the "new image" road to v2).
image 00-hello-world helloworld-v1 k8tsexamples/helloworld:v1 --port 8080/tcp
image 00-hello-world helloworld-v1 k8tsexamples/helloworld:v2 --port 8080/tcp --env VERSION=v2
# 01: [DOCKER_HUB_USERNAME]/dinosaur-service, with a tag.
image 01-dinosaur-service dinosaur-service k8tsexamples/dinosaur-service:v1 --port 8084/tcp
# 03: the seed's own names (`kubectl run go-ok --image=cjimti/go-ok` means :latest).
image 03-go-ok go-ok cjimti/go-ok:v1 --port 8080/tcp
image 03-go-ok go-ok cjimti/go-ok:latest --port 8080/tcp
# 04: order-service:1.1 and :1.2, each knowing its version.
image 04-order-service order-service order-service:1.1 --port 8080/tcp --env VERSION=1.1
image 04-order-service order-service order-service:1.2 --port 8080/tcp --env VERSION=1.2

/**
 * Builds a single-layer OCI image-layout tarball in memory, in pure Node: the rootfs layer
 * (tar, optionally gzip), the image config, the manifest and an index.json whose entry names
 * the image both for OCI tools (`org.opencontainers.image.ref.name`) and for containerd's
 * importer (`io.containerd.image.name`).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { normalizeImageReference, parseImageReference } from './reference.js';
import { tarArchive, withParents, type TarEntry } from './tar.js';

export const mediaTypes = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  /** "NAME=value" strings. */
  env?: string[];
  workingDir?: string;
  user?: string;
  /** "80/tcp" style keys. */
  exposedPorts?: string[];
  labels?: Record<string, string>;
  stopSignal?: string;
}

export interface BuildImageInput {
  /** Image name, e.g. 'k8ts.io/pause:1.0' or 'myapp:v1' (normalised). */
  name: string;
  /** More names for the same image (each gets its own index.json entry). */
  moreNames?: readonly string[];
  /** Files of the root filesystem (parent directories are added). */
  files: readonly TarEntry[];
  config?: ImageConfig;
  /** Compress the layer (default true). */
  gzip?: boolean;
  /** Creation time (ms since the epoch); default 0 for reproducible digests. */
  created?: number;
  architecture?: string;
  os?: string;
}

export interface BuiltImage {
  /** The OCI layout as a tar archive. */
  tar: Buffer;
  /** Normalised image name. */
  name: string;
  /** Every normalised name, `name` first. */
  names: string[];
  manifestDigest: string;
  /** sha256 of the config: the image ID the CRI reports. */
  configDigest: string;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Node's process.arch in OCI/Go terms. */
export function ociArchitecture(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[arch] ?? arch;
}

function blobEntry(digest: string, content: Buffer): TarEntry {
  return { path: `blobs/sha256/${digest.slice('sha256:'.length)}`, content };
}

export function buildOciImage(input: BuildImageInput): BuiltImage {
  const name = normalizeImageReference(input.name);
  const names = [...new Set([name, ...(input.moreNames ?? []).map(normalizeImageReference)])];
  const architecture = input.architecture ?? ociArchitecture();
  const os = input.os ?? 'linux';
  const created = new Date(input.created ?? 0).toISOString();

  const layerTar = tarArchive(withParents(input.files));
  const diffId = sha256(layerTar);
  const gzip = input.gzip ?? true;
  const layer = gzip ? gzipSync(layerTar, { level: 6 }) : layerTar;
  const layerDigest = sha256(layer);

  const c = input.config ?? {};
  const runConfig: Record<string, unknown> = {};
  if (c.user) runConfig.User = c.user;
  if (c.exposedPorts?.length) runConfig.ExposedPorts = Object.fromEntries(c.exposedPorts.map((p) => [p.includes('/') ? p : `${p}/tcp`, {}]));
  runConfig.Env = c.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  if (c.entrypoint) runConfig.Entrypoint = c.entrypoint;
  if (c.cmd) runConfig.Cmd = c.cmd;
  if (c.workingDir) runConfig.WorkingDir = c.workingDir;
  if (c.labels) runConfig.Labels = c.labels;
  if (c.stopSignal) runConfig.StopSignal = c.stopSignal;
  const config = Buffer.from(JSON.stringify({
    created, architecture, os, config: runConfig,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: 'k8ts image build' }],
  }));
  const configDigest = sha256(config);

  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: mediaTypes.manifest,
    config: { mediaType: mediaTypes.config, digest: configDigest, size: config.length },
    layers: [{ mediaType: gzip ? mediaTypes.layerGzip : mediaTypes.layer, digest: layerDigest, size: layer.length }],
  }));
  const manifestDigest = sha256(manifest);

  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: mediaTypes.index,
    manifests: names.map((n) => ({
      mediaType: mediaTypes.manifest, digest: manifestDigest, size: manifest.length,
      platform: { architecture, os },
      annotations: {
        'io.containerd.image.name': n,
        // Tools such as skopeo select an entry by this (oci-archive:FILE:TAG).
        'org.opencontainers.image.ref.name': parseImageReference(n).tag ?? 'latest',
      },
    })),
  }));

  const tar = tarArchive(withParents([
    { path: 'oci-layout', content: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { path: 'index.json', content: index },
    blobEntry(layerDigest, layer),
    blobEntry(configDigest, config),
    blobEntry(manifestDigest, manifest),
  ]));
  return { tar, name, names, manifestDigest, configDigest };
}

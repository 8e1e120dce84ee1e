/**
 * `k8ts image build -t NAME:TAG DIR`: a directory packed as a one-layer image, then imported
 * into the node's containerd or written as an OCI image-layout tarball (`--output FILE.tar`,
 * which `skopeo copy oci-archive:FILE.tar docker://…` pushes to a registry).
 */
import { stat, writeFile } from 'node:fs/promises';
import { importImageArchive } from './import.js';
import { buildOciImage, type BuiltImage } from './oci-tar.js';
import { entriesFromDirectory } from './tar.js';

export interface BuildImageOptions {
  /** NAME[:TAG]; normalised ('myapp:v1' → 'docker.io/library/myapp:v1'). */
  tag: string;
  /** More NAME[:TAG]s for the same image. */
  moreTags?: readonly string[];
  /** Directory that becomes the image's root filesystem. */
  dir: string;
  entrypoint?: string[];
  cmd?: string[];
  /** "NAME=value" strings. */
  env?: string[];
  workdir?: string;
  user?: string;
  exposedPorts?: string[];
  signal?: AbortSignal;
}

export interface BuildImageResult {
  name: string;
  /** Every name the image got, `name` first. */
  names: string[];
  /** Image ID (config digest) as the CRI reports it. */
  id: string;
  size: number;
}

/** Packs the directory as an OCI image-layout tarball in memory. */
export async function packImage(o: BuildImageOptions): Promise<BuiltImage> {
  const st = await stat(o.dir).catch((err: unknown) => { throw new Error(`image build: cannot read ${o.dir}`, { cause: err }); });
  if (!st.isDirectory()) throw new Error(`image build: ${o.dir} is not a directory`);
  return buildOciImage({
    name: o.tag,
    moreNames: o.moreTags,
    files: await entriesFromDirectory(o.dir),
    created: Date.now(),
    config: {
      entrypoint: o.entrypoint, cmd: o.cmd, env: o.env, workingDir: o.workdir, user: o.user, exposedPorts: o.exposedPorts,
    },
  });
}

function result(image: BuiltImage): BuildImageResult {
  return { name: image.name, names: image.names, id: image.configDigest, size: image.tar.length };
}

/** Builds the image and imports it into the containerd at `socket`. */
export async function buildImage(o: BuildImageOptions, socket: string): Promise<BuildImageResult> {
  const image = await packImage(o);
  await importImageArchive(image.tar, socket, { signal: o.signal });
  return result(image);
}

/** Builds the image and writes it to `file` as an OCI image-layout tarball (no containerd needed). */
export async function buildImageArchive(o: BuildImageOptions, file: string): Promise<BuildImageResult> {
  const image = await packImage(o);
  await writeFile(file, image.tar);
  return result(image);
}

/** `k8ts image build -t NAME:TAG DIR`: a directory packed as a one-layer image and imported. */
import { stat } from 'node:fs/promises';
import { importImageArchive } from './import.js';
import { buildOciImage } from './oci-tar.js';
import { entriesFromDirectory } from './tar.js';

export interface BuildImageOptions {
  /** NAME[:TAG]; normalised ('myapp:v1' → 'docker.io/library/myapp:v1'). */
  tag: string;
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
  /** Image ID (config digest) as the CRI reports it. */
  id: string;
  size: number;
}

export async function buildImage(o: BuildImageOptions, socket: string): Promise<BuildImageResult> {
  const st = await stat(o.dir).catch((err: unknown) => { throw new Error(`image build: cannot read ${o.dir}`, { cause: err }); });
  if (!st.isDirectory()) throw new Error(`image build: ${o.dir} is not a directory`);
  const image = buildOciImage({
    name: o.tag,
    files: await entriesFromDirectory(o.dir),
    created: Date.now(),
    config: {
      entrypoint: o.entrypoint, cmd: o.cmd, env: o.env, workingDir: o.workdir, user: o.user, exposedPorts: o.exposedPorts,
    },
  });
  await importImageArchive(image.tar, socket, { signal: o.signal });
  return { name: image.name, id: image.configDigest, size: image.tar.length };
}

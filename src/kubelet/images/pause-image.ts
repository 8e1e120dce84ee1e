/** The pod sandbox image: the project's own static pause program in a one-layer image. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../base/index.js';
import { createCriClient } from '../cri/client.js';
import { importImageArchive } from './import.js';
import { compileStatic, nativeSource } from './native-build.js';
import { buildOciImage } from './oci-tar.js';

/** The sandbox_image containerd is configured with. */
export const pauseImage = 'k8ts.io/pause:1.0';

export interface PauseImageOptions {
  dataDir: string;
  socket: string;
  log: Logger;
  signal?: AbortSignal;
  cc?: string;
  name?: string;
}

/** Builds the pause image tarball (compiling the pause program when not cached). */
export async function buildPauseImage(dataDir: string, opts: { cc?: string; signal?: AbortSignal; name?: string } = {}): Promise<Buffer> {
  const binary = await compileStatic(await nativeSource('pause/pause.c'), join(dataDir, 'agent', 'images', 'bin'), opts);
  return buildOciImage({
    name: opts.name ?? pauseImage,
    files: [{ path: 'pause', mode: 0o755, content: await readFile(binary) }],
    config: { entrypoint: ['/pause'], env: [], stopSignal: 'SIGTERM' },
  }).tar;
}

/** Makes sure the runtime has the pause image, building and importing it when missing. */
export async function ensurePauseImage(o: PauseImageOptions): Promise<void> {
  const name = o.name ?? pauseImage;
  const cri = createCriClient(o.socket);
  try {
    const status = await cri.image.imageStatus({ image: { image: name } }, { signal: o.signal });
    if (status.image?.id) return;
  } finally {
    cri.close();
  }
  const started = Date.now();
  const tar = await buildPauseImage(o.dataDir, o);
  await importImageArchive(tar, o.socket, { signal: o.signal });
  o.log.info('pause image imported', { image: name, ms: Date.now() - started });
}

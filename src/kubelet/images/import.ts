/**
 * Loading image tarballs (OCI image layout or docker-archive, plain or gzip) into containerd's
 * `k8s.io` namespace, where the CRI sees them. Uses `ctr`, which ships with containerd.
 */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { sleep } from '../../base/index.js';
import { createCriClient, type CriClient } from '../cri/client.js';

export interface ImportOptions {
  signal?: AbortSignal;
  /** The `ctr` binary (default: `ctr` on PATH). */
  ctr?: string;
  /** containerd namespace (the CRI's is k8s.io). */
  namespace?: string;
}

export interface ImportedImage {
  /** Image names ctr reported, e.g. 'docker.io/library/nginx:latest'. */
  names: string[];
}

/** Runs `ctr images import` on a file, or on `-` with `input` piped to stdin. */
async function ctrImport(socket: string, source: string | Buffer, opts: ImportOptions): Promise<string> {
  const args = ['-a', socket, '-n', opts.namespace ?? 'k8s.io', 'images', 'import',
    typeof source === 'string' ? source : '-'];
  return new Promise((resolve, reject) => {
    const child = spawn(opts.ctr ?? 'ctr', args, { stdio: ['pipe', 'pipe', 'pipe'], signal: opts.signal });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('error', (e) => reject(new Error(`running ctr images import: ${e.message}`, { cause: e })));
    child.once('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`ctr images import failed (exit ${code}): ${err.trim() || out.trim()}`));
    });
    child.stdin.on('error', () => undefined); // ctr may exit early; its exit status carries the error
    if (typeof source === 'string') child.stdin.end();
    else child.stdin.end(source);
  });
}

/** ctr prints "unpacking <name> (sha256:…)...done" for every image it imported. */
export function parseImportOutput(out: string): string[] {
  const names: string[] = [];
  for (const m of out.matchAll(/^unpacking (\S+) \(sha256:[0-9a-f]+\)/gm)) names.push(m[1]!);
  return names;
}

/** Waits until the CRI image service knows `name` (it learns of imports asynchronously). */
export async function waitForCriImage(cri: CriClient, name: string, signal?: AbortSignal, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await cri.image.imageStatus({ image: { image: name } }, { signal });
    if (res.image?.id) return;
    if (Date.now() > deadline) throw new Error(`image ${name} was imported but the CRI does not list it`);
    await sleep(50, signal);
  }
}

async function checkReadable(file: string): Promise<void> {
  const fh = await open(file, 'r').catch((err: unknown) => { throw new Error(`cannot read ${file}`, { cause: err }); });
  await fh.close();
}

/** Imports one tarball (path) or an in-memory archive; returns the names it brought in. */
export async function importImageArchive(source: string | Buffer, socket: string, opts: ImportOptions = {}): Promise<ImportedImage> {
  if (typeof source === 'string') await checkReadable(source);
  const out = await ctrImport(socket, source, opts);
  const names = parseImportOutput(out);
  if ((opts.namespace ?? 'k8s.io') === 'k8s.io' && names.length) {
    const cri = createCriClient(socket);
    try {
      for (const name of names) await waitForCriImage(cri, name, opts.signal);
    } finally {
      cri.close();
    }
  }
  return { names };
}

/** `k8ts image import FILE...`: loads each tarball; stops at the first failure. */
export async function importImages(files: readonly string[], socket: string, opts: ImportOptions = {}): Promise<ImportedImage[]> {
  const results: ImportedImage[] = [];
  for (const file of files) {
    try {
      results.push(await importImageArchive(file, socket, opts));
    } catch (err) {
      throw new Error(`importing ${file}`, { cause: err });
    }
  }
  return results;
}

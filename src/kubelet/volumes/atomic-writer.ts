/**
 * The kubelet's atomic writer for configMap, secret, downwardAPI and projected volumes: the
 * payload goes into a fresh hidden `..<timestamp>` directory, `..data` is switched to it with
 * one rename, and every top-level name is a symlink through `..data` — so a container never
 * sees half an update.
 */
import { lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';

export interface PayloadFile { content: Buffer; mode: number }
/** Relative path → file. */
export type Payload = Map<string, PayloadFile>;

export const dataDirName = '..data';

/** Checks a payload path as the kubelet does: relative, no `..` elements, not starting with `..`. */
export function validatePayloadPath(p: string): string | undefined {
  if (!p) return 'invalid path: must not be empty';
  if (posix.isAbsolute(p)) return `invalid path: must be relative path: ${p}`;
  if (p.split('/').includes('..')) return `invalid path: must not contain '..': ${p}`;
  if (p.startsWith('..')) return `invalid path: must not start with '..': ${p}`;
  return undefined;
}

async function currentPayloadMatches(dir: string, payload: Payload): Promise<boolean> {
  const target = await readlink(join(dir, dataDirName)).catch(() => undefined);
  if (!target) return false;
  const base = join(dir, target);
  const existing = new Set<string>();
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(join(d, e.name), r);
      else existing.add(r);
    }
  };
  try {
    await walk(base, '');
  } catch {
    return false; // the data dir vanished: rewrite
  }
  if (existing.size !== payload.size) return false;
  for (const [p, f] of payload) {
    if (!existing.has(p)) return false;
    const path = join(base, p);
    const [content, st] = await Promise.all([readFile(path), stat(path)]);
    if (!content.equals(f.content) || (st.mode & 0o7777) !== f.mode) return false;
  }
  return true;
}

/** Writes `payload` into `dir` atomically; returns false when it was already there. */
export async function writePayload(dir: string, payload: Payload, now = Date.now()): Promise<boolean> {
  for (const p of payload.keys()) {
    const bad = validatePayloadPath(p);
    if (bad) throw new Error(bad);
  }
  await mkdir(dir, { recursive: true });
  if (await currentPayloadMatches(dir, payload)) return false;
  const stamp = `..${new Date(now).toISOString().replace(/[-:]/g, '_').replace('T', '_').replace('Z', '')}.${Math.random().toString(36).slice(2, 10)}`;
  const tsDir = join(dir, stamp);
  await mkdir(tsDir, { recursive: true, mode: 0o755 });
  for (const [p, f] of payload) {
    const path = join(tsDir, p);
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await writeFile(path, f.content, { mode: f.mode });
    await chmod(path, f.mode); // the umask must not narrow the requested mode
  }
  const old = await readlink(join(dir, dataDirName)).catch(() => undefined);
  const tmpLink = join(dir, `${dataDirName}_tmp`);
  await rm(tmpLink, { force: true });
  await symlink(stamp, tmpLink);
  await rename(tmpLink, join(dir, dataDirName));
  // Top-level names: add links for new ones, drop links for names that left the payload.
  const tops = new Set([...payload.keys()].map((p) => p.split('/')[0]!));
  for (const top of tops) {
    const link = join(dir, top);
    const st = await lstat(link).catch(() => undefined);
    if (st?.isSymbolicLink()) continue;
    if (st) await rm(link, { recursive: true, force: true });
    await symlink(posix.join(dataDirName, top), link);
  }
  for (const name of await readdir(dir)) {
    if (name.startsWith('..') || tops.has(name)) continue;
    const st = await lstat(join(dir, name));
    if (st.isSymbolicLink()) await rm(join(dir, name), { force: true });
  }
  if (old && old !== stamp) await rm(join(dir, old), { recursive: true, force: true });
  return true;
}

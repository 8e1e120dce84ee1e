/** tmpfs mounts for memory-backed volumes, and finding/unmounting what is left under a directory. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Mounter {
  isMountPoint(dir: string): Promise<boolean>;
  mountTmpfs(dir: string, sizeBytes?: number): Promise<void>;
  /** Unmounts every mount at or below `dir`, deepest first. */
  unmountUnder(dir: string): Promise<void>;
}

/** Mount points from /proc/self/mounts (octal escapes decoded). */
export function parseMountPoints(mounts: string): string[] {
  return mounts.split('\n').map((l) => l.split(' ')[1] ?? '').filter(Boolean)
    .map((m) => m.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export async function mountPointsUnder(dir: string): Promise<string[]> {
  const all = parseMountPoints(await readFile('/proc/self/mounts', 'utf8'));
  return all.filter((m) => m === dir || m.startsWith(dir.endsWith('/') ? dir : dir + '/')).sort((a, b) => b.length - a.length);
}

export const systemMounter: Mounter = {
  async isMountPoint(dir) {
    return parseMountPoints(await readFile('/proc/self/mounts', 'utf8')).includes(dir);
  },
  async mountTmpfs(dir, sizeBytes) {
    const opts = ['mode=0777', ...(sizeBytes ? [`size=${sizeBytes}`] : [])].join(',');
    await run('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
  },
  async unmountUnder(dir) {
    for (const m of await mountPointsUnder(dir)) {
      try {
        await run('umount', [m]);
      } catch {
        await run('umount', ['-l', m]); // busy: detach now, freed when the last user goes
      }
    }
  },
};

/** A minimal POSIX (ustar + pax) tar writer: enough for image layers and OCI layouts. */
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';

export interface TarEntry {
  /** Path inside the archive, relative ('bin/app', 'etc/'). */
  path: string;
  type?: 'file' | 'dir' | 'symlink';
  /** Permission bits; default 0644 for files, 0755 for directories, 0777 for symlinks. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch; default 0 so that archives are reproducible. */
  mtime?: number;
  content?: Buffer;
  /** Symlink target. */
  target?: string;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  // The length prefix counts itself.
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

function header(name: string, typeflag: string, size: number, e: TarEntry, linkname = ''): Buffer {
  const h = Buffer.alloc(BLOCK);
  const mode = e.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(e.uid ?? 0, 8), 108, 'ascii');
  h.write(octal(e.gid ?? 0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(e.mtime ?? 0), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum is computed with this field as spaces
  h.write(typeflag, 156, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

function pad(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** Adds the parent directories every entry needs, sorted so parents precede children. */
export function withParents(entries: readonly TarEntry[]): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  for (const e of entries) {
    const path = posix.normalize(e.path).replace(/^\/+/, '').replace(/\/+$/, '');
    if (path === '' || path === '.' || path.startsWith('../')) throw new Error(`tar: bad entry path ${JSON.stringify(e.path)}`);
    byPath.set(path, { ...e, path });
    for (let dir = posix.dirname(path); dir !== '.'; dir = posix.dirname(dir)) {
      if (!byPath.has(dir)) byPath.set(dir, { path: dir, type: 'dir' });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Serialises entries as one tar archive (paths longer than ustar allows get a pax header). */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const name = type === 'dir' ? `${e.path.replace(/\/+$/, '')}/` : e.path;
    const linkname = type === 'symlink' ? (e.target ?? '') : '';
    const size = type === 'file' ? (e.content?.length ?? 0) : 0;
    if (Buffer.byteLength(name) > 99 || Buffer.byteLength(linkname) > 99) {
      const pax = Buffer.concat([
        ...(Buffer.byteLength(name) > 99 ? [paxRecord('path', name)] : []),
        ...(Buffer.byteLength(linkname) > 99 ? [paxRecord('linkpath', linkname)] : []),
      ]);
      parts.push(header('PaxHeader', 'x', pax.length, { path: 'PaxHeader', mtime: e.mtime }), pax, pad(pax.length));
    }
    const flag = type === 'dir' ? '5' : type === 'symlink' ? '2' : '0';
    parts.push(header(name.slice(0, 99), flag, size, e, linkname.slice(0, 99)));
    if (size > 0) parts.push(e.content!, pad(size));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/**
 * Reads a directory tree as tar entries (regular files, directories, symlinks; owned by root
 * unless `keepOwners`). Other file types (devices, sockets, fifos) are refused.
 */
export async function entriesFromDirectory(dir: string, opts: { keepOwners?: boolean } = {}): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  async function walk(rel: string): Promise<void> {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      const abs = join(dir, relPath);
      const st = await lstat(abs);
      const owner = opts.keepOwners ? { uid: st.uid, gid: st.gid } : {};
      const base = { path: relPath, mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000), ...owner };
      if (st.isDirectory()) {
        out.push({ ...base, type: 'dir' });
        await walk(relPath);
      } else if (st.isFile()) {
        out.push({ ...base, type: 'file', content: await readFile(abs) });
      } else if (st.isSymbolicLink()) {
        out.push({ ...base, type: 'symlink', target: await readlink(abs) });
      } else {
        throw new Error(`${abs}: only files, directories and symlinks can go into an image`);
      }
    }
  }
  await walk('');
  return out;
}

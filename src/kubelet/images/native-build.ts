/** Compiles the project's small static C programs (the pause program) with the host's gcc. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds a file under the package's `native/` folder, from the source tree (src/kubelet/images)
 * or the build output (dist/src/kubelet/images).
 */
export async function nativeSource(rel: string): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '../../../native', rel), join(here, '../../../../native', rel)];
  for (const c of candidates) {
    if (await access(c).then(() => true, () => false)) return c;
  }
  throw new Error(`native source ${rel} not found (looked in ${candidates.join(', ')})`);
}

function run(cmd: string, args: string[], signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { signal }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new Error(`${cmd} is not installed: the node agent compiles its pause program with it ` +
          '(Debian: apt-get install gcc libc6-dev)', { cause: err }));
      }
      reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`, { cause: err }));
    });
  });
}

/**
 * Compiles a C source into a static, stripped binary cached in `cacheDir` under a name derived
 * from the source's hash, so a changed source is rebuilt and an unchanged one never is.
 */
export async function compileStatic(source: string, cacheDir: string, opts: { cc?: string; signal?: AbortSignal } = {}): Promise<string> {
  const text = await readFile(source);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const base = source.split('/').pop()!.replace(/\.c$/, '');
  const out = join(cacheDir, `${base}-${hash}`);
  if (await access(out).then(() => true, () => false)) return out;
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  await run(opts.cc ?? 'gcc', ['-static', '-Os', '-s', '-o', tmp, source], opts.signal);
  await rename(tmp, out);
  return out;
}

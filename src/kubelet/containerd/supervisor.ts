/**
 * Runs containerd as the agent's child: writes its config, starts it, waits for the CRI to
 * answer, restarts it when it dies, and stops it by PID on shutdown. A containerd left running
 * by a previous agent with the same config (its PID file) is adopted rather than duplicated,
 * so containers survive agent restarts.
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { isAbort, sleep, type Logger } from '../../base/index.js';
import { createCriClient } from '../cri/client.js';
import { renderContainerdConfig, type ContainerdConfigOptions } from './config.js';
import { containerdPaths, type ContainerdPaths } from './paths.js';

export interface ContainerdOptions extends Omit<ContainerdConfigOptions, 'paths'> {
  dataDir: string;
  log: Logger;
  /** The containerd binary (default: `containerd` on PATH). */
  binary?: string;
  /** How long to wait for the CRI to answer after a start. */
  startTimeoutMs?: number;
  /** How long containerd gets to exit after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
}

export interface ContainerdSupervisor {
  readonly paths: ContainerdPaths;
  /** Resolves once containerd answers CRI Version (after the first start), rejects if run() fails first. */
  ready(signal?: AbortSignal): Promise<void>;
  /** Starts and supervises containerd until `signal` aborts, then stops it. */
  run(signal: AbortSignal): Promise<void>;
  /** The PID being supervised, if any. */
  pid(): number | undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The PID recorded by an earlier run, if that process is still our containerd. */
async function adoptablePid(paths: ContainerdPaths): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await readFile(paths.pidFile, 'utf8')).trim());
  } catch {
    return undefined; // no PID file: nothing to adopt
  }
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').includes(paths.config) ? pid : undefined;
}

/** Polls the CRI until it answers Version. */
export async function waitForCri(socket: string, timeoutMs: number, signal?: AbortSignal, isDead?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // gRPC backs off for a second after a refused connection: wait for the socket file first.
  while (socket.startsWith('/') && !(await stat(socket).then((s) => s.isSocket(), () => false))) {
    if (isDead?.()) throw new Error('containerd exited while starting');
    if (Date.now() >= deadline) throw new Error(`containerd did not create ${socket} within ${timeoutMs} ms`);
    await sleep(20, signal);
  }
  const cri = createCriClient(socket, { timeoutMs: 1000 });
  try {
    let last: unknown;
    while (Date.now() < deadline) {
      if (isDead?.()) throw new Error('containerd exited while starting', { cause: last });
      try {
        await cri.runtime.version({ version: 'v1' }, { signal, timeoutMs: 1000 });
        return;
      } catch (err) {
        if (signal?.aborted) throw err;
        last = err;
      }
      await sleep(50, signal);
    }
    throw new Error(`containerd did not answer on ${socket} within ${timeoutMs} ms`, { cause: last });
  } finally {
    cri.close();
  }
}

export function createContainerdSupervisor(opts: ContainerdOptions): ContainerdSupervisor {
  const paths = containerdPaths(opts.dataDir);
  const log = opts.log.child({ component: 'containerd' });
  let current: number | undefined;
  let readyResolve!: () => void;
  let readyReject!: (e: unknown) => void;
  const readyPromise = new Promise<void>((res, rej) => { readyResolve = res; readyReject = rej; });
  readyPromise.catch(() => undefined); // observed through ready(); avoid an unhandled rejection

  async function writeConfig(): Promise<void> {
    await mkdir(paths.dir, { recursive: true });
    await mkdir(paths.certsDir, { recursive: true });
    await mkdir(paths.cniConfDir, { recursive: true });
    await writeFile(paths.config, renderContainerdConfig({ ...opts, paths }));
  }

  async function start(): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
    const out = await open(paths.log, 'a');
    try {
      const child = spawnProcess(opts.binary ?? 'containerd', ['--config', paths.config], {
        stdio: ['ignore', out.fd, out.fd],
      });
      const exited = new Promise<number | null>((resolve) => {
        child.once('exit', (code, sig) => resolve(code ?? (sig ? -1 : null)));
        child.once('error', (err) => { log.error('containerd failed to start', { err }); resolve(-1); });
      });
      if (child.pid) await writeFile(paths.pidFile, String(child.pid));
      return { child, exited };
    } finally {
      await out.close();
    }
  }

  async function stopPid(pid: number, exited: Promise<unknown>): Promise<void> {
    if (!alive(pid)) return;
    process.kill(pid, 'SIGTERM');
    const timeout = opts.stopTimeoutMs ?? 10_000;
    const ac = new AbortController();
    const done = await Promise.race([exited.then(() => true), sleep(timeout, ac.signal).then(() => false)]);
    ac.abort();
    if (!done && alive(pid)) {
      log.warn('containerd ignored SIGTERM; killing', { pid });
      process.kill(pid, 'SIGKILL');
      await exited;
    }
  }

  /** Waits for an adopted (not our child) process to exit. */
  async function pollExit(pid: number, signal: AbortSignal): Promise<void> {
    while (alive(pid) && !signal.aborted) await sleep(500, signal).catch(() => undefined);
  }

  async function run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    let first = true;
    try {
      await writeConfig();
      while (!signal.aborted) {
        const adopted = await adoptablePid(paths);
        if (adopted) {
          log.info('adopting running containerd', { pid: adopted });
          current = adopted;
          await waitForCri(paths.socket, opts.startTimeoutMs ?? 30_000, signal);
          if (first) { first = false; readyResolve(); }
          await pollExit(adopted, signal);
          if (signal.aborted) {
            const exited = (async () => { while (alive(adopted)) await sleep(100); })();
            await stopPid(adopted, exited);
            break;
          }
          log.warn('adopted containerd exited', { pid: adopted });
          continue;
        }
        const startedAt = Date.now();
        const { child, exited } = await start();
        current = child.pid;
        log.info('containerd started', { pid: child.pid, socket: paths.socket });
        let dead = false;
        void exited.then(() => { dead = true; });
        try {
          await waitForCri(paths.socket, opts.startTimeoutMs ?? 30_000, signal, () => dead);
          if (first) { first = false; readyResolve(); }
        } catch (err) {
          if (!isAbort(err, signal)) log.error('containerd did not become ready', { err, log: paths.log });
          if (first && !signal.aborted && failures >= 2) { await stopPid(child.pid!, exited); throw err; }
        }
        const onAbort = () => { void stopPid(child.pid!, exited); };
        signal.addEventListener('abort', onAbort, { once: true });
        const code = await exited;
        signal.removeEventListener('abort', onAbort);
        current = undefined;
        if (signal.aborted) break;
        failures = Date.now() - startedAt > 60_000 ? 1 : failures + 1;
        const delay = Math.min(30_000, 500 * 2 ** (failures - 1));
        log.error('containerd exited; restarting', { code, delayMs: delay, log: paths.log });
        await sleep(delay, signal).catch(() => undefined);
      }
      await rm(paths.pidFile, { force: true });
    } catch (err) {
      readyReject(err);
      throw err;
    } finally {
      current = undefined;
      readyReject(new Error('containerd supervisor stopped'));
    }
  }

  return {
    paths,
    ready: (signal) => (signal ? Promise.race([readyPromise, new Promise<void>((_, rej) => {
      if (signal.aborted) rej(signal.reason);
      signal.addEventListener('abort', () => rej(signal.reason), { once: true });
    })]) : readyPromise),
    run,
    pid: () => current,
  };
}

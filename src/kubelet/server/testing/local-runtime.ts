/**
 * A StreamingRuntime for tests without containers: exec runs a local child process, port-forward
 * connects to a local TCP port (pod port → local port map), logs come from a CRI-format file.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { exitCodeStatus, failureStatus } from '../../../streaming/remote-command.js';
import { StreamingError, type StreamingRuntime } from '../runtime.js';
import { writeContainerLog } from '../logs.js';

export interface LocalRuntimeOptions {
  /** namespace/pod → container names that "exist". */
  pods: Record<string, string[]>;
  /** Pod port → 127.0.0.1 port. */
  ports?: Record<number, number>;
  /** namespace/pod/container → CRI log file (and the previous one). */
  logs?: Record<string, { current: string; previous?: string; running(): boolean }>;
  cwd?: string;
}

export function localRuntime(opts: LocalRuntimeOptions): StreamingRuntime {
  const find = (ns: string, pod: string, container?: string) => {
    const containers = opts.pods[`${ns}/${pod}`];
    if (!containers) throw new StreamingError(404, 'pod does not exist');
    if (container !== undefined && !containers.includes(container)) throw new StreamingError(500, `container not found ("${container}")`);
  };
  return {
    async exec(ref, command, options) {
      find(ref.namespace, ref.pod, ref.container);
      return async (session) => {
        const child = spawn(command[0]!, command.slice(1), { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
        const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
          child.once('error', (error) => resolve({ code: null, error }));
          child.once('close', (code) => resolve({ code }));
        });
        child.stdin.on('error', () => undefined);
        if (session.stdin) session.stdin.pipe(child.stdin);
        else child.stdin.end();
        const out = session.stdout;
        const err = session.stderr ?? (options.tty ? session.stdout : undefined);
        if (out) child.stdout.pipe(out, { end: false }); else child.stdout.resume();
        if (err) child.stderr.pipe(err, { end: false }); else child.stderr.resume();
        session.signal.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
        const { code, error } = await exited;
        if (error) return session.finish(failureStatus(`failed to run ${command[0]}: ${error.message}`));
        await session.finish(exitCodeStatus(code ?? 137));
      };
    },
    async attach(ref) {
      find(ref.namespace, ref.pod, ref.container);
      throw new StreamingError(400, 'attach is not supported by the local test runtime');
    },
    async portForward(ref) {
      find(ref.namespace, ref.pod);
      return (conn) => new Promise<void>((resolve) => {
        const local = opts.ports?.[conn.port];
        if (local === undefined) {
          conn.error(`error forwarding port ${conn.port} to pod ${ref.pod}: no such port`);
          return resolve();
        }
        const target = connect(local, '127.0.0.1');
        target.on('error', (err) => { conn.error(`error forwarding port ${conn.port} to pod ${ref.pod}: ${err.message}`); target.destroy(); resolve(); });
        target.on('close', () => resolve());
        conn.data.on('error', () => target.destroy());
        conn.data.pipe(target);
        target.pipe(conn.data, { end: true });
        conn.signal.addEventListener('abort', () => target.destroy(), { once: true });
      });
    },
    async logs(ref, options) {
      find(ref.namespace, ref.pod, ref.container);
      const files = opts.logs?.[`${ref.namespace}/${ref.pod}/${ref.container}`];
      if (!files) throw new StreamingError(400, `container "${ref.container}" in pod "${ref.pod}" is waiting to start: ContainerCreating`);
      const path = options.previous ? files.previous : files.current;
      if (!path) throw new StreamingError(400, `previous terminated container "${ref.container}" in pod "${ref.pod}" not found`);
      return (out, signal) => writeContainerLog(path, options, out, { signal, isRunning: options.previous ? () => false : files.running });
    },
  };
}

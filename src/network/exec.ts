import { spawn } from 'node:child_process';

export interface ExecOptions {
  /** Written to the child's stdin, which is then closed. */
  stdin?: string;
  signal?: AbortSignal;
}

export interface ExecResult { stdout: string; stderr: string }

/**
 * Runs a program and resolves with its output; rejects (with stderr in the message) when it
 * exits non-zero. The only road from k8ts's network code to `ip`, `iptables-*` and `sysctl`,
 * injected so tests can record calls or run everything inside a network namespace.
 */
export type Exec = (cmd: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/** An Exec failure: the command, its exit code and what it printed. */
export class ExecError extends Error {
  constructor(readonly cmd: string, readonly args: readonly string[], readonly code: number | null, readonly stderr: string) {
    super(`${cmd} ${args.join(' ')} exited with ${code ?? 'a signal'}: ${stderr.trim().slice(0, 2000)}`);
    this.name = 'ExecError';
  }
}

/** The real Exec over child_process.spawn (no shell). */
export const execFile: Exec = (cmd, args, opts = {}) => new Promise<ExecResult>((resolve, reject) => {
  const child = spawn(cmd, args, { signal: opts.signal, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.on('error', reject);
  child.on('close', (code) => {
    const stdout = Buffer.concat(out).toString('utf8');
    const stderr = Buffer.concat(err).toString('utf8');
    if (code === 0) resolve({ stdout, stderr });
    else reject(new ExecError(cmd, args, code, stderr || stdout));
  });
  child.stdin.on('error', () => { /* the child exited before reading: its exit code reports the failure */ });
  child.stdin.end(opts.stdin ?? '');
});

/** Every command of `exec` run inside the named network namespace (`ip netns exec <ns> …`). */
export function inNetns(exec: Exec, netns: string): Exec {
  return (cmd, args, opts) => exec('ip', ['netns', 'exec', netns, cmd, ...args], opts);
}

/**
 * The transport-neutral shape of an exec/attach session, produced by both the SPDY and the
 * WebSocket servers: the client's stdin (if asked for), stdout/stderr sinks, terminal size
 * events, and finish(status) which reports the outcome and ends the session.
 */
import type { Readable, Writable } from 'node:stream';
import type { StatusCause } from '../api/types.js';

/**
 * The Status JSON of the v4/v5 error channel: a meta/v1 Status without kind/apiVersion/code,
 * e.g. `{"metadata":{},"status":"Success"}`.
 */
export interface StreamStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes?: StatusCause[] };
  code?: number;
}

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface TerminalSize { width: number; height: number }

export interface RemoteCommandSession {
  readonly options: RemoteCommandOptions;
  /** The negotiated protocol (`v4.channel.k8s.io`, …) — informative. */
  readonly protocol: string;
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  /** Absent with a TTY (stderr is merged into stdout). */
  readonly stderr?: Writable;
  /** Terminal sizes as the client reports them; the latest one is replayed to a late listener. */
  onResize(listener: (size: TerminalSize) => void): void;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  /** Reports the result (on the error channel), ends the output streams and closes the session. */
  finish(status: StreamStatus): Promise<void>;
}

/** Runs one exec/attach session to its end (calling session.finish). */
export type RemoteCommandHandler = (session: RemoteCommandSession) => Promise<void>;

/** Protocol names, newest first, as the Kubernetes streaming servers list them. */
export const remoteCommandProtocols = {
  v5: 'v5.channel.k8s.io',
  v4: 'v4.channel.k8s.io',
  v3: 'v3.channel.k8s.io',
  v2: 'v2.channel.k8s.io',
  v1: 'channel.k8s.io',
} as const;

export const successStatus: StreamStatus = { metadata: {}, status: 'Success' };

/** The Status a command's exit code turns into (v4+ error channel). */
export function exitCodeStatus(exitCode: number, detail?: string): StreamStatus {
  if (exitCode === 0) return successStatus;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: ${detail ?? `exit status ${exitCode}`}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** An internal failure (the command could not be run at all). */
export function failureStatus(message: string): StreamStatus {
  return { metadata: {}, status: 'Failure', message };
}

/** The exit code a v4 Status reports (0 for Success, undefined when it is not an exit). */
export function exitCodeOf(status: StreamStatus): number | undefined {
  if (status.status === 'Success') return 0;
  if (status.reason !== 'NonZeroExitCode') return undefined;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = Number(cause?.message);
  return Number.isInteger(n) ? n : undefined;
}

/** What the v1–v3 protocols write on the error channel: the message text, nothing on success. */
export function legacyErrorText(status: StreamStatus): string {
  return status.status === 'Success' ? '' : (status.message ?? 'error');
}

/** Whether this protocol carries Status JSON (v4, v5) rather than plain text on its error channel. */
export function usesStatusJson(protocol: string): boolean {
  return protocol.startsWith('v4.') || protocol.startsWith('v5.');
}

/** Reads `stdin`, `stdout`, … query flags; kube-apiserver forwards them as "1", clients send "true". */
export function remoteCommandOptionsFromQuery(query: URLSearchParams): RemoteCommandOptions {
  const flag = (name: string) => { const v = query.get(name); return v === '1' || v === 'true'; };
  const tty = flag('tty');
  return { stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr') && !tty, tty };
}

/** Parses a resize message `{"Width":100,"Height":30}`; undefined when malformed. */
export function parseTerminalSize(text: string): TerminalSize | undefined {
  try {
    const v = JSON.parse(text) as { Width?: unknown; Height?: unknown };
    if (typeof v.Width === 'number' && typeof v.Height === 'number') return { width: v.Width, height: v.Height };
  } catch {
    return undefined;
  }
  return undefined;
}

export function formatTerminalSize(size: TerminalSize): string {
  return JSON.stringify({ Width: size.width, Height: size.height });
}

/** A small resize fan-out that replays the latest size to listeners that come late. */
export class ResizeEvents {
  #last: TerminalSize | undefined;
  readonly #listeners: ((s: TerminalSize) => void)[] = [];
  emit(size: TerminalSize): void {
    this.#last = size;
    for (const l of this.#listeners) l(size);
  }
  on(listener: (s: TerminalSize) => void): void {
    this.#listeners.push(listener);
    if (this.#last) listener(this.#last);
  }
}

/** Parses an error-channel payload: Status JSON (v4/v5) or, for older protocols, plain text. */
export function parseStreamStatus(text: string, protocol: string): StreamStatus {
  if (!text.trim()) return successStatus;
  if (usesStatusJson(protocol)) {
    try {
      const v = JSON.parse(text) as StreamStatus;
      if (v && (v.status === 'Success' || v.status === 'Failure')) return { ...v, metadata: {} };
    } catch {
      return failureStatus(text);
    }
  }
  return failureStatus(text);
}

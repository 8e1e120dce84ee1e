/**
 * What the kubelet's streaming server asks of the node: resolve a container (or pod) and hand
 * back a handler for the session — resolution happens before the protocol upgrade, so that
 * "container not found" reaches the client as an HTTP error.
 */
import type { Writable } from 'node:stream';
import type { PortForwardHandler } from '../../streaming/port-forward.js';
import type { RemoteCommandHandler, RemoteCommandOptions } from '../../streaming/remote-command.js';

export interface PodRef { namespace: string; pod: string; uid?: string }
export interface ContainerRef extends PodRef { container: string }

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** Only records at or after this time. */
  since?: Date;
  stream: 'All' | 'Stdout' | 'Stderr';
}

/** Writes the log to `out` (following until the container exits when asked) and resolves. */
export type LogWriter = (out: Writable, signal: AbortSignal) => Promise<void>;

export interface StreamingRuntime {
  exec(ref: ContainerRef, command: string[], options: RemoteCommandOptions): Promise<RemoteCommandHandler>;
  attach(ref: ContainerRef, options: RemoteCommandOptions): Promise<RemoteCommandHandler>;
  portForward(ref: PodRef): Promise<PortForwardHandler>;
  logs(ref: ContainerRef, options: LogOptions): Promise<LogWriter>;
}

/** A failure to answer with an HTTP code and a plain-text message, as the kubelet does. */
export class StreamingError extends Error {
  override readonly name = 'StreamingError';
  constructor(readonly code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

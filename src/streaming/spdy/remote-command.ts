/**
 * exec/attach over SPDY/3.1 (`v5`…`v1` `channel.k8s.io`): the client opens one stream per
 * channel (header `streamtype`: error, stdin, stdout, stderr, resize) and waits for each reply.
 * Once every expected stream exists the handler runs; the result goes on the error stream
 * (Status JSON for v4/v5, text before) with FIN, then stdout/stderr get FIN, and the server waits
 * for the client to close the connection.
 */
import { Writable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  legacyErrorText, parseTerminalSize, remoteCommandProtocols, ResizeEvents, usesStatusJson,
  type RemoteCommandHandler, type RemoteCommandOptions, type RemoteCommandSession, type StreamStatus,
} from '../remote-command.js';
import { settleWithin } from '../wait.js';
import type { SpdySession, SpdyStream } from './session.js';
import { acceptSpdy } from './upgrade.js';

export const spdyRemoteCommandProtocols = [
  remoteCommandProtocols.v5, remoteCommandProtocols.v4, remoteCommandProtocols.v3, remoteCommandProtocols.v2, remoteCommandProtocols.v1,
] as const;

/** How long the client has to open all its streams (upstream: 30 s). */
const streamCreationTimeoutMs = 30_000;

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

function expectedStreams(options: RemoteCommandOptions, protocol: string): StreamType[] {
  const out: StreamType[] = ['error'];
  if (options.stdin) out.push('stdin');
  if (options.stdout) out.push('stdout');
  if (options.stderr && !options.tty) out.push('stderr');
  if (options.tty && protocol !== remoteCommandProtocols.v1 && protocol !== remoteCommandProtocols.v2 && protocol !== '') out.push('resize');
  return out;
}

/** Upgrades the request to SPDY and runs `handler`; resolves when the connection is gone. */
export async function serveSpdyRemoteCommand(req: IncomingMessage, socket: Duplex, head: Buffer, options: RemoteCommandOptions,
  handler: RemoteCommandHandler): Promise<void> {
  const streams = new Map<StreamType, SpdyStream>();
  let wake: () => void = () => undefined;
  const accepted = acceptSpdy(req, socket, head, spdyRemoteCommandProtocols, {
    onStream(stream) {
      const type = stream.header('streamtype') as StreamType | undefined;
      if (!type || streams.has(type)) { stream.reset(); return; }
      streams.set(type, stream);
      wake();
    },
  });
  if (!accepted) return;
  const { session, protocol } = accepted;
  const wanted = expectedStreams(options, protocol);
  const complete = () => wanted.every((t) => streams.has(t));
  const arrived = new Promise<void>((resolve) => {
    wake = () => { if (complete()) resolve(); };
    wake();
    session.once('close', () => resolve());
  });
  if (!(await settleWithin(arrived, streamCreationTimeoutMs)) || !complete()) {
    session.destroy();
    return;
  }
  await runSession(session, protocol, options, streams, handler);
}

async function runSession(session: SpdySession, protocol: string, options: RemoteCommandOptions, streams: Map<StreamType, SpdyStream>,
  handler: RemoteCommandHandler): Promise<void> {
  const abort = new AbortController();
  session.once('close', () => abort.abort());
  const resize = new ResizeEvents();
  const resizeStream = streams.get('resize');
  if (resizeStream) {
    let text = '';
    resizeStream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      let end: number;
      while ((end = text.indexOf('}')) >= 0) {
        const size = parseTerminalSize(text.slice(0, end + 1));
        text = text.slice(end + 1);
        if (size) resize.emit(size);
      }
    });
  }
  const errorStream = streams.get('error')!;
  // The client half-closes its side of the error stream at once; drain it so it can end.
  errorStream.resume();
  for (const s of streams.values()) s.on('error', () => undefined);
  let finished = false;
  const sessionView: RemoteCommandSession = {
    options,
    protocol,
    stdin: streams.get('stdin'),
    stdout: streams.get('stdout') as Writable | undefined,
    stderr: streams.get('stderr') as Writable | undefined,
    onResize: (l) => resize.on(l),
    signal: abort.signal,
    async finish(status: StreamStatus) {
      if (finished) return;
      finished = true;
      const payload = usesStatusJson(protocol) ? JSON.stringify(status) : legacyErrorText(status);
      await Promise.all([endWritable(streams.get('stdout')), endWritable(streams.get('stderr'))]);
      await new Promise<void>((resolve) => errorStream.end(payload, () => resolve()));
    },
  };
  try {
    await handler(sessionView);
  } finally {
    if (!finished) await sessionView.finish({ metadata: {}, status: 'Failure', message: 'the session ended without a result' });
  }
  // The client closes the connection once it has read everything.
  if (!(await settleWithin(session.closed, 10_000))) session.close();
}

function endWritable(w: Writable | undefined): Promise<void> {
  if (!w || w.writableFinished || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    w.once('finish', () => resolve());
    w.once('close', () => resolve());
    w.end();
  });
}

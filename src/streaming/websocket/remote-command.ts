/**
 * exec/attach over the WebSocket channel protocol (v5 … v1 `channel.k8s.io`, and the base64
 * variants): stdin on channel 0, stdout 1, stderr 2, the result on 3, resize on 4, and (v5)
 * `[255, 0]` for stdin EOF. The result is Status JSON for v4/v5, plain text before.
 */
import { PassThrough, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import {
  legacyErrorText, parseTerminalSize, ResizeEvents, usesStatusJson,
  type RemoteCommandHandler, type RemoteCommandOptions, type RemoteCommandSession, type StreamStatus,
} from '../remote-command.js';
import { settleWithin } from '../wait.js';
import { Channel, decodeChannelMessage, encodeChannelMessage, isBase64Protocol } from './channels.js';

export const webSocketRemoteCommandProtocols = [
  'v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io',
  'channel.k8s.io', 'base64.channel.k8s.io',
] as const;

/** Runs `handler` over an accepted WebSocket; resolves when the socket has closed. */
export async function serveWebSocketRemoteCommand(ws: WebSocket, protocol: string, options: RemoteCommandOptions, handler: RemoteCommandHandler): Promise<void> {
  const base64 = isBase64Protocol(protocol);
  const abort = new AbortController();
  const resize = new ResizeEvents();
  const stdin = options.stdin ? new PassThrough() : undefined;
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  let finished = false;

  const send = (channel: number, data: Buffer | string, cb?: (err?: Error) => void) => {
    if (ws.readyState !== ws.OPEN) { cb?.(); return; }
    ws.send(encodeChannelMessage(channel, data, base64), { binary: !base64 }, (err) => cb?.(err ?? undefined));
  };
  const sink = (channel: number) => new Writable({
    write(chunk: Buffer, _enc, cb) { send(channel, chunk, () => cb()); },
  });

  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const buf = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const msg = decodeChannelMessage(base64 && !isBinary ? buf.toString('latin1') : buf, base64);
    if (!msg) return;
    switch (msg.channel) {
      case Channel.stdin:
        if (stdin && !stdin.writableEnded && msg.data.length) stdin.write(msg.data);
        return;
      case Channel.resize: {
        const size = parseTerminalSize(msg.data.toString('utf8'));
        if (size) resize.emit(size);
        return;
      }
      case Channel.close:
        if (msg.data[0] === Channel.stdin && stdin && !stdin.writableEnded) stdin.end();
        return;
      default:
        return;
    }
  });
  ws.on('close', () => {
    abort.abort();
    if (stdin && !stdin.writableEnded) stdin.end();
  });
  ws.on('error', () => abort.abort());

  const session: RemoteCommandSession = {
    options,
    protocol,
    stdin,
    stdout: options.stdout ? sink(Channel.stdout) : undefined,
    stderr: options.stderr && !options.tty ? sink(Channel.stderr) : undefined,
    onResize: (l) => resize.on(l),
    signal: abort.signal,
    async finish(status: StreamStatus) {
      if (finished) return;
      finished = true;
      await Promise.all([endWritable(session.stdout), endWritable(session.stderr)]);
      const payload = usesStatusJson(protocol) ? JSON.stringify(status) : legacyErrorText(status);
      if (payload) await new Promise<void>((resolve) => send(Channel.error, payload, () => resolve()));
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
  };
  try {
    await handler(session);
  } finally {
    if (!finished) await session.finish({ metadata: {}, status: 'Failure', message: 'the session ended without a result' });
  }
  if (!(await settleWithin(closed, 10_000))) ws.terminate();
}

function endWritable(w: Writable | undefined): Promise<void> {
  if (!w || w.writableFinished || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    w.once('finish', () => resolve());
    w.once('close', () => resolve());
    w.end();
  });
}

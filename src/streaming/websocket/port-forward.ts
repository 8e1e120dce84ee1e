/**
 * Port forwarding over the WebSocket channel protocol (`v4.channel.k8s.io`, as client-node uses
 * it): the ports come from the `ports` query; port i uses channel 2i for data and 2i+1 for errors;
 * the server first sends the 2-byte little-endian port on both channels. The socket closes when
 * every forward has ended.
 */
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { PortForwardHandler } from '../port-forward.js';
import { decodeChannelMessage, encodeChannelMessage, isBase64Protocol, portPrefix } from './channels.js';
import { settleWithin } from '../wait.js';

export const webSocketPortForwardProtocols = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'] as const;

export async function serveWebSocketPortForward(ws: WebSocket, protocol: string, ports: readonly number[], handler: PortForwardHandler): Promise<void> {
  const base64 = isBase64Protocol(protocol);
  const abort = new AbortController();
  const closed = new Promise<void>((resolve) => ws.once('close', () => { abort.abort(); resolve(); }));
  ws.on('error', () => abort.abort());
  const send = (channel: number, data: Buffer | string, cb?: () => void) => {
    if (ws.readyState !== ws.OPEN) { cb?.(); return; }
    ws.send(encodeChannelMessage(channel, data, base64), { binary: !base64 }, () => cb?.());
  };
  const duplexes = ports.map((_, i) => new Duplex({
    allowHalfOpen: true,
    read() { /* data is pushed as messages arrive */ },
    write(chunk: Buffer, _enc, cb) { send(2 * i, chunk, () => cb()); },
    final(cb) { cb(); },
  }));
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const buf = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const msg = decodeChannelMessage(base64 && !isBinary ? buf.toString('latin1') : buf, base64);
    if (!msg || msg.channel % 2 !== 0) return;
    const d = duplexes[msg.channel / 2];
    if (d && msg.data.length) d.push(msg.data);
  });
  ws.once('close', () => { for (const d of duplexes) d.push(null); });
  ports.forEach((port, i) => { send(2 * i, portPrefix(port)); send(2 * i + 1, portPrefix(port)); });
  await Promise.all(ports.map(async (port, i) => {
    try {
      await handler({ port, data: duplexes[i]!, error: (message) => send(2 * i + 1, message), signal: abort.signal });
    } catch (err) {
      send(2 * i + 1, err instanceof Error ? err.message : String(err));
    }
  }));
  if (ws.readyState === ws.OPEN) ws.close(1000);
  if (!(await settleWithin(closed, 10_000))) ws.terminate();
}

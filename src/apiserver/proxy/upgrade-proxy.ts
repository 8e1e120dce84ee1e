/**
 * The byte-level half of proxying an HTTP Upgrade to a kubelet (exec, attach, portforward,
 * nodes/proxy): the backend's 101 and every byte after it pass through untouched.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { StatusError } from '../../api/errors.js';
import type { Logger } from '../../base/log.js';
import type { KubeletEndpoint } from './kubelet-dialer.js';

/** A response body as text, at most `limit` bytes of it. */
export function readAll(res: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => { if (size < limit) { chunks.push(c); size += c.length; } });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').slice(0, limit)));
    res.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * Forwards an upgrade request: on 101 writes the kubelet's response head to the client and
 * splices the two sockets; any other answer is relayed as is. Resolves when both sides closed.
 */
export function proxyUpgrade(kreq: ClientRequest, socket: Duplex, head: Buffer, endpoint: KubeletEndpoint, log: Logger | undefined, dialFailure: (err: unknown) => StatusError): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (err) reject(err); else resolve();
    };
    socket.once('close', () => { if (!settled) kreq.destroy(); });
    kreq.on('error', (err) => finish(dialFailure(err)));
    kreq.on('upgrade', (kres, ksocket, khead) => {
      const lines = [`HTTP/1.1 ${kres.statusCode ?? 101} ${kres.statusMessage || 'Switching Protocols'}`];
      for (let i = 0; i + 1 < kres.rawHeaders.length; i += 2) lines.push(`${kres.rawHeaders[i]}: ${kres.rawHeaders[i + 1]}`);
      socket.write(lines.join('\r\n') + '\r\n\r\n');
      if (khead.length) socket.write(khead);
      if (head.length) ksocket.write(head);
      const ks = ksocket as Duplex & { setNoDelay?: (v: boolean) => void };
      const cs = socket as Duplex & { setNoDelay?: (v: boolean) => void };
      ks.setNoDelay?.(true);
      cs.setNoDelay?.(true);
      let open = 2;
      const closed = () => { if (--open === 0) finish(); };
      ksocket.once('close', () => { socket.destroy(); closed(); });
      socket.once('close', () => { ksocket.destroy(); closed(); });
      ksocket.on('error', (err) => { log?.debug('kubelet stream error', { node: endpoint.nodeName, err }); socket.destroy(); });
      socket.on('error', () => ksocket.destroy());
      ksocket.pipe(socket);
      socket.pipe(ksocket);
    });
    kreq.on('response', (kres) => {
      void readAll(kres).then((body) => {
        const code = kres.statusCode ?? 500;
        const type = String(kres.headers['content-type'] ?? 'text/plain; charset=utf-8');
        const extra = Object.entries(kres.headers)
          .filter(([k]) => k.toLowerCase().startsWith('x-'))
          .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}\r\n`).join('');
        if (socket.writable) {
          socket.end(`HTTP/1.1 ${code} ${kres.statusMessage || ''}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`);
        }
        finish();
      });
    });
    kreq.end();
  });
}

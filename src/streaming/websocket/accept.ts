/**
 * The server side of a WebSocket upgrade with Kubernetes' subprotocol rules: the client's first
 * offered protocol that the server supports wins; a client that offers protocols of which none is
 * supported gets 400 (so kubectl falls back to SPDY); a client that offers none gets the default.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { headerList, rejectUpgrade } from '../spdy/upgrade.js';
import { selectProtocol } from './channels.js';

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export function offeredProtocols(req: IncomingMessage): string[] {
  return headerList(req.headers, 'sec-websocket-protocol');
}

/** Completes the handshake; undefined (after answering 400) when no protocol matches. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, supported: readonly string[]): Promise<{ ws: WebSocket; protocol: string } | undefined> {
  const protocol = selectProtocol(offeredProtocols(req), supported);
  if (protocol === undefined) {
    rejectUpgrade(socket, 400, 'Bad Request', `requested protocol(s) are not supported: [${offeredProtocols(req).join(' ')}]; supports [${supported.join(' ')}]`);
    return Promise.resolve(undefined);
  }
  // `ws` checks offered subprotocols against the RFC 6455 token grammar, which rejects the '/'
  // of kubectl's `SPDY/3.1+portforward.k8s.io`. The choice is made above; hand `ws` neutral
  // tokens and answer with the chosen name.
  if (protocol) req.headers['sec-websocket-protocol'] = 'k8ts-selected';
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
    handleProtocols: () => protocol,
  });
  return new Promise((resolve) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s = socket as Duplex & { setNoDelay?: (v: boolean) => void };
      s.setNoDelay?.(true);
      resolve({ ws, protocol });
      wss.close();
    });
  });
}

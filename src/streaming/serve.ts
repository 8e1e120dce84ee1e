/**
 * One entry point per streaming verb that picks the transport from the upgrade request:
 * WebSocket (channel protocols, or SPDY tunnelled in WebSocket for port-forward) or SPDY/3.1.
 * Both resolve when the client's connection is gone.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream } from 'ws';
import { portForwardProtocols, parsePort, type PortForwardHandler } from './port-forward.js';
import type { RemoteCommandHandler, RemoteCommandOptions } from './remote-command.js';
import { serveSpdyRemoteCommand } from './spdy/remote-command.js';
import { runSpdyPortForward, spdyPortForwarder } from './spdy/port-forward.js';
import { SpdySession } from './spdy/session.js';
import { acceptSpdy, isSpdyUpgrade, rejectUpgrade } from './spdy/upgrade.js';
import { acceptWebSocket, isWebSocketUpgrade, offeredProtocols } from './websocket/accept.js';
import { serveWebSocketPortForward, webSocketPortForwardProtocols } from './websocket/port-forward.js';
import { serveWebSocketRemoteCommand, webSocketRemoteCommandProtocols } from './websocket/remote-command.js';
import { selectProtocol } from './websocket/channels.js';

/** Whether the request asks for a protocol upgrade this package can serve. */
export function isStreamingUpgrade(req: IncomingMessage): boolean {
  return isWebSocketUpgrade(req) || isSpdyUpgrade(req);
}

/** exec/attach: checks the options, upgrades, and runs `handler` with the session. */
export async function serveRemoteCommand(req: IncomingMessage, socket: Duplex, head: Buffer, options: RemoteCommandOptions,
  handler: RemoteCommandHandler): Promise<void> {
  if (!options.stdin && !options.stdout && !options.stderr) {
    rejectUpgrade(socket, 400, 'Bad Request', 'you must specify at least 1 of stdin, stdout, stderr');
    return;
  }
  if (isWebSocketUpgrade(req)) {
    const accepted = await acceptWebSocket(req, socket, head, webSocketRemoteCommandProtocols);
    if (!accepted) return;
    await serveWebSocketRemoteCommand(accepted.ws, accepted.protocol, options, handler);
    return;
  }
  if (isSpdyUpgrade(req)) {
    await serveSpdyRemoteCommand(req, socket, head, options, handler);
    return;
  }
  rejectUpgrade(socket, 400, 'Bad Request', 'Upgrade request required');
}

/** The `ports` query of a WebSocket port-forward (comma-separated and/or repeated). */
export function portsFromQuery(query: URLSearchParams): number[] | undefined {
  const raw = query.getAll('ports').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const ports = raw.map((v) => parsePort(v));
  return ports.every((p): p is number => p !== undefined) ? ports : undefined;
}

/** port-forward: SPDY, SPDY-in-WebSocket, or WebSocket channel pairs. */
export async function servePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams,
  handler: PortForwardHandler): Promise<void> {
  if (isWebSocketUpgrade(req)) {
    const supported = [portForwardProtocols.spdyOverWebSocket, ...webSocketPortForwardProtocols];
    const protocol = selectProtocol(offeredProtocols(req), supported);
    let ports: number[] = [];
    if (protocol !== portForwardProtocols.spdyOverWebSocket && protocol !== undefined) {
      const parsed = portsFromQuery(query);
      if (!parsed) { rejectUpgrade(socket, 400, 'Bad Request', `invalid port in query: ${query.getAll('ports').join(',')}`); return; }
      if (parsed.length === 0) { rejectUpgrade(socket, 400, 'Bad Request', 'query parameter "ports" is required'); return; }
      ports = parsed;
    }
    const accepted = await acceptWebSocket(req, socket, head, supported);
    if (!accepted) return;
    if (accepted.protocol === portForwardProtocols.spdyOverWebSocket) {
      const tunnel = createWebSocketStream(accepted.ws, { allowHalfOpen: false });
      tunnel.on('error', () => undefined);
      const forwarder = spdyPortForwarder(handler);
      const session = new SpdySession(tunnel, { isServer: true, onStream: forwarder.onStream });
      await runSpdyPortForward(session, forwarder);
      return;
    }
    await serveWebSocketPortForward(accepted.ws, accepted.protocol, ports, handler);
    return;
  }
  if (isSpdyUpgrade(req)) {
    const forwarder = spdyPortForwarder(handler);
    const accepted = acceptSpdy(req, socket, head, [portForwardProtocols.spdy], { onStream: forwarder.onStream });
    if (!accepted) return;
    await runSpdyPortForward(accepted.session, forwarder);
    return;
  }
  rejectUpgrade(socket, 400, 'Bad Request', 'Upgrade request required');
}

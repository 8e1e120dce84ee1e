/**
 * The transport-neutral shape of port forwarding: each forwarded connection (a SPDY data/error
 * stream pair, or a WebSocket channel pair) is handed to the handler as a byte Duplex for one
 * port plus an error reporter. The transport closes both when the handler returns.
 */
import type { Duplex } from 'node:stream';

export interface PortForwardConnection {
  readonly port: number;
  /** Bytes to and from the client's local connection. */
  readonly data: Duplex;
  /** Reports a failure to the client (kubectl prints it). */
  error(message: string): void;
  /** Aborts when the client's connection (or the whole session) goes away. */
  readonly signal: AbortSignal;
}

/** Forwards one connection to its end. */
export type PortForwardHandler = (conn: PortForwardConnection) => Promise<void>;

export const portForwardProtocols = {
  /** SPDY/3.1 stream pairs (kubectl). */
  spdy: 'portforward.k8s.io',
  /** SPDY/3.1 tunnelled in WebSocket binary messages (kubectl 1.31+). */
  spdyOverWebSocket: 'SPDY/3.1+portforward.k8s.io',
  /** WebSocket channel pairs with a 2-byte port prefix (client-node). */
  channelV4: 'v4.channel.k8s.io',
  channelV4Base64: 'v4.base64.channel.k8s.io',
} as const;

/** A port from a header or query value: 1–65535, else undefined. */
export function parsePort(value: string | undefined | null): number | undefined {
  if (value === undefined || value === null || !/^\d+$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * The Kubernetes WebSocket channel framing (`*.channel.k8s.io`): each message starts with its
 * channel number. Binary protocols put the channel in the first byte; the base64 protocols send
 * text messages whose first character is '0'+channel, followed by the base64 payload.
 */
export const Channel = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  error: 3,
  resize: 4,
  /** v5: `[255, n]` from the client closes channel n (stdin EOF). */
  close: 255,
} as const;

export interface ChannelMessage { channel: number; data: Buffer }

export function isBase64Protocol(protocol: string): boolean {
  return protocol.includes('base64.channel.k8s.io');
}

export function encodeChannelMessage(channel: number, data: Buffer | string, base64: boolean): Buffer | string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (base64) return String.fromCharCode(48 + channel) + bytes.toString('base64');
  return Buffer.concat([Buffer.from([channel]), bytes]);
}

/** Decodes one message; undefined for an empty one. */
export function decodeChannelMessage(message: Buffer | string, base64: boolean): ChannelMessage | undefined {
  if (base64) {
    const text = typeof message === 'string' ? message : message.toString('latin1');
    if (text.length === 0) return undefined;
    return { channel: text.charCodeAt(0) - 48, data: Buffer.from(text.slice(1), 'base64') };
  }
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  if (bytes.length === 0) return undefined;
  return { channel: bytes[0]!, data: bytes.subarray(1) };
}

/** The first of the client's protocols the server supports ('' when the client offered none). */
export function selectProtocol(offered: readonly string[], supported: readonly string[]): string | undefined {
  if (offered.length === 0) return '';
  return offered.find((p) => supported.includes(p));
}

/** The 2-byte little-endian port prefix of v4 port-forward channels. */
export function portPrefix(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
}

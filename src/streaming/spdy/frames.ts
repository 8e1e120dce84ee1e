/**
 * SPDY/3.1 framing: every frame has an 8-byte header. Control frames: C bit, version (3), type,
 * flags, 24-bit length. Data frames: 31-bit stream id, flags, 24-bit length. Header blocks travel
 * here still compressed; the session owns the per-direction zlib contexts (header-block.ts).
 */
export const spdyVersion = 3;

export const FrameType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

export const flagFin = 0x01;
export const flagUnidirectional = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  unsupportedVersion: 4,
  cancel: 5,
  internalError: 6,
  flowControlError: 7,
  streamInUse: 8,
  streamAlreadyClosed: 9,
  frameTooLarge: 11,
} as const;

/** The largest payload a frame can carry (24-bit length). */
export const maxFrameLength = 0xffffff;

export type SpdyFrame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'synStream'; streamId: number; associatedId: number; priority: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { type: 'synReply'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'rstStream'; streamId: number; status: number }
  | { type: 'settings'; clear: boolean; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goAway'; lastGoodStreamId: number; status: number }
  | { type: 'windowUpdate'; streamId: number; delta: number }
  | { type: 'unknown'; controlType: number; flags: number; payload: Buffer };

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > maxFrameLength) throw new Error(`SPDY control frame too large: ${payload.length} bytes`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | spdyVersion, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24 >>> 0) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

function u31(n: number): number { return n & 0x7fffffff; }

/** Serialises one frame (header blocks must already be compressed). */
export function encodeFrame(frame: SpdyFrame): Buffer {
  switch (frame.type) {
    case 'data': {
      if (frame.data.length > maxFrameLength) throw new Error(`SPDY data frame too large: ${frame.data.length} bytes`);
      const head = Buffer.alloc(8);
      head.writeUInt32BE(u31(frame.streamId), 0);
      head.writeUInt32BE((((frame.fin ? flagFin : 0) << 24) >>> 0) | frame.data.length, 4);
      return Buffer.concat([head, frame.data]);
    }
    case 'synStream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(u31(frame.streamId), 0);
      fixed.writeUInt32BE(u31(frame.associatedId), 4);
      fixed[8] = (frame.priority & 0x7) << 5;
      fixed[9] = 0;
      const flags = (frame.fin ? flagFin : 0) | (frame.unidirectional ? flagUnidirectional : 0);
      return controlFrame(FrameType.synStream, flags, Buffer.concat([fixed, frame.headerBlock]));
    }
    case 'synReply':
    case 'headers': {
      const fixed = Buffer.alloc(4);
      fixed.writeUInt32BE(u31(frame.streamId), 0);
      return controlFrame(frame.type === 'synReply' ? FrameType.synReply : FrameType.headers, frame.fin ? flagFin : 0, Buffer.concat([fixed, frame.headerBlock]));
    }
    case 'rstStream': {
      const p = Buffer.alloc(8);
      p.writeUInt32BE(u31(frame.streamId), 0);
      p.writeUInt32BE(frame.status >>> 0, 4);
      return controlFrame(FrameType.rstStream, 0, p);
    }
    case 'settings': {
      const p = Buffer.alloc(4 + 8 * frame.entries.length);
      p.writeUInt32BE(frame.entries.length, 0);
      frame.entries.forEach((e, i) => {
        p.writeUInt32BE((((e.flags & 0xff) << 24) >>> 0) | (e.id & 0xffffff), 4 + i * 8);
        p.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return controlFrame(FrameType.settings, frame.clear ? 1 : 0, p);
    }
    case 'ping': {
      const p = Buffer.alloc(4);
      p.writeUInt32BE(frame.id >>> 0, 0);
      return controlFrame(FrameType.ping, 0, p);
    }
    case 'goAway': {
      const p = Buffer.alloc(8);
      p.writeUInt32BE(u31(frame.lastGoodStreamId), 0);
      p.writeUInt32BE(frame.status >>> 0, 4);
      return controlFrame(FrameType.goAway, 0, p);
    }
    case 'windowUpdate': {
      const p = Buffer.alloc(8);
      p.writeUInt32BE(u31(frame.streamId), 0);
      p.writeUInt32BE(u31(frame.delta), 4);
      return controlFrame(FrameType.windowUpdate, 0, p);
    }
    case 'unknown':
      return controlFrame(frame.controlType, frame.flags, frame.payload);
  }
}

export class SpdyProtocolError extends Error {
  override readonly name = 'SpdyProtocolError';
}

function decodeControl(type: number, flags: number, p: Buffer): SpdyFrame {
  const need = (n: number) => { if (p.length < n) throw new SpdyProtocolError(`SPDY control frame type ${type} too short (${p.length} bytes)`); };
  const fin = (flags & flagFin) !== 0;
  switch (type) {
    case FrameType.synStream:
      need(10);
      return {
        type: 'synStream', streamId: u31(p.readUInt32BE(0)), associatedId: u31(p.readUInt32BE(4)), priority: p[8]! >> 5,
        fin, unidirectional: (flags & flagUnidirectional) !== 0, headerBlock: p.subarray(10),
      };
    case FrameType.synReply:
      need(4);
      return { type: 'synReply', streamId: u31(p.readUInt32BE(0)), fin, headerBlock: p.subarray(4) };
    case FrameType.headers:
      need(4);
      return { type: 'headers', streamId: u31(p.readUInt32BE(0)), fin, headerBlock: p.subarray(4) };
    case FrameType.rstStream:
      need(8);
      return { type: 'rstStream', streamId: u31(p.readUInt32BE(0)), status: p.readUInt32BE(4) };
    case FrameType.settings: {
      need(4);
      const n = p.readUInt32BE(0);
      need(4 + n * 8);
      const entries = [];
      for (let i = 0; i < n; i++) {
        const word = p.readUInt32BE(4 + i * 8);
        entries.push({ flags: word >>> 24, id: word & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', clear: (flags & 1) !== 0, entries };
    }
    case FrameType.ping:
      need(4);
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.goAway:
      need(4);
      return { type: 'goAway', lastGoodStreamId: u31(p.readUInt32BE(0)), status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case FrameType.windowUpdate:
      need(8);
      return { type: 'windowUpdate', streamId: u31(p.readUInt32BE(0)), delta: u31(p.readUInt32BE(4)) };
    default:
      return { type: 'unknown', controlType: type, flags, payload: p };
  }
}

/** Incremental decoder: feed it bytes as they arrive, take whole frames out. */
export class FrameReader {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: SpdyFrame[] = [];
    let off = 0;
    while (this.#buf.length - off >= 8) {
      const w0 = this.#buf.readUInt32BE(off);
      const w1 = this.#buf.readUInt32BE(off + 4);
      const length = w1 & 0xffffff;
      const flags = w1 >>> 24;
      if (this.#buf.length - off < 8 + length) break;
      const payload = Buffer.from(this.#buf.subarray(off + 8, off + 8 + length));
      if (w0 & 0x80000000) {
        const version = (w0 >>> 16) & 0x7fff;
        if (version !== spdyVersion) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        out.push(decodeControl(w0 & 0xffff, flags, payload));
      } else {
        out.push({ type: 'data', streamId: u31(w0), fin: (flags & flagFin) !== 0, data: payload });
      }
      off += 8 + length;
    }
    this.#buf = off === this.#buf.length ? Buffer.alloc(0) : this.#buf.subarray(off);
    return out;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number { return this.#buf.length; }
}

/**
 * SPDY/3 name/value header blocks and their compression. One zlib context per direction lives
 * for the whole connection. Incoming blocks (Go compresses them with the SPDY/3 dictionary and a
 * sync flush per block) go through one persistent inflater. Outgoing blocks are written as
 * stored (uncompressed) deflate blocks: the zlib header `78 01` once, then per header block the
 * stored block(s) and an empty stored block `00 00 00 ff ff` that acts as the sync flush Go's
 * reader needs to hand over each block (without it the peer stalls on the second reply).
 */
import { constants, createInflate, type Inflate } from 'node:zlib';
import { spdyDictionary } from './dictionary.js';
import { SpdyProtocolError } from './frames.js';

/** Header names are lower-case; a name may carry several values (NUL-separated on the wire). */
export type SpdyHeaders = Record<string, string[]>;

/** Serialises headers into an (uncompressed) SPDY/3 name/value block. */
export function encodeHeaderBlock(headers: Record<string, string | readonly string[]>): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(typeof value === 'string' ? value : value.join('\0'), 'utf8');
    const nl = Buffer.alloc(4);
    nl.writeUInt32BE(n.length);
    const vl = Buffer.alloc(4);
    vl.writeUInt32BE(v.length);
    parts.push(nl, n, vl, v);
  }
  return Buffer.concat(parts);
}

/** Parses an uncompressed name/value block. */
export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const fail = () => new SpdyProtocolError('malformed SPDY header block');
  if (block.length < 4) throw fail();
  const count = block.readUInt32BE(0);
  const out: SpdyHeaders = {};
  let off = 4;
  for (let i = 0; i < count; i++) {
    if (off + 4 > block.length) throw fail();
    const nl = block.readUInt32BE(off);
    off += 4;
    if (off + nl + 4 > block.length) throw fail();
    const name = block.subarray(off, off + nl).toString('utf8').toLowerCase();
    off += nl;
    const vl = block.readUInt32BE(off);
    off += 4;
    if (off + vl > block.length) throw fail();
    const values = block.subarray(off, off + vl).toString('utf8').split('\0');
    off += vl;
    (out[name] ??= []).push(...values);
  }
  return out;
}

/** The first value of a header, or undefined. */
export function headerValue(headers: SpdyHeaders, name: string): string | undefined {
  return headers[name.toLowerCase()]?.[0];
}

/** Outgoing direction: stored deflate blocks, each header block ending in an empty stored block. */
export class HeaderCompressor {
  #started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.#started) {
      parts.push(Buffer.from([0x78, 0x01]));
      this.#started = true;
    }
    for (let off = 0; off < block.length; off += 0xffff) {
      parts.push(storedBlock(block.subarray(off, Math.min(block.length, off + 0xffff))));
    }
    parts.push(storedBlock(Buffer.alloc(0)));
    return Buffer.concat(parts);
  }
}

function storedBlock(data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0x00; // BFINAL=0, BTYPE=00 (stored), padded to the byte boundary
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

/**
 * Incoming direction: one inflater (with the SPDY/3 dictionary) for the whole connection, fed one
 * header block at a time and flushed; callers must not overlap calls (the session serialises them).
 */
export class HeaderDecompressor {
  readonly #inflate: Inflate = createInflate({ dictionary: spdyDictionary });
  #out: Buffer[] = [];
  #failure: Error | undefined;

  constructor() {
    this.#inflate.on('data', (chunk: Buffer) => this.#out.push(chunk));
    this.#inflate.on('error', (err) => { this.#failure = err; });
  }

  decompress(compressed: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const fail = (err: unknown) => reject(new SpdyProtocolError('cannot decompress SPDY header block', { cause: err }));
      if (this.#failure) return fail(this.#failure);
      if (compressed.length === 0) return resolve(Buffer.alloc(0));
      this.#inflate.write(compressed);
      this.#inflate.flush(constants.Z_SYNC_FLUSH, () => {
        if (this.#failure) return fail(this.#failure);
        const out = Buffer.concat(this.#out);
        this.#out = [];
        resolve(out);
      });
    });
  }

  close(): void { this.#inflate.destroy(); }
}

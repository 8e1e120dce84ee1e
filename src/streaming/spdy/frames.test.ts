import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createDeflate } from 'node:zlib';
import { encodeFrame, FrameReader, type SpdyFrame } from './frames.js';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCompressor, HeaderDecompressor } from './header-block.js';
import { spdyDictionary } from './dictionary.js';

test('every frame type round-trips, also when split byte by byte', () => {
  const frames: SpdyFrame[] = [
    { type: 'synStream', streamId: 1, associatedId: 0, priority: 3, fin: false, unidirectional: true, headerBlock: Buffer.from('abc') },
    { type: 'synReply', streamId: 1, fin: true, headerBlock: Buffer.from('xyz') },
    { type: 'headers', streamId: 3, fin: false, headerBlock: Buffer.alloc(0) },
    { type: 'rstStream', streamId: 5, status: 5 },
    { type: 'settings', clear: false, entries: [{ flags: 1, id: 7, value: 65536 }] },
    { type: 'ping', id: 0xfffffffe },
    { type: 'goAway', lastGoodStreamId: 7, status: 0 },
    { type: 'windowUpdate', streamId: 0, delta: 12345 },
    { type: 'data', streamId: 0x7fffffff, fin: true, data: Buffer.from('hello') },
    { type: 'data', streamId: 9, fin: false, data: Buffer.alloc(0) },
  ];
  const wire = Buffer.concat(frames.map(encodeFrame));
  assert.deepEqual(new FrameReader().push(wire), frames);
  const reader = new FrameReader();
  const out: SpdyFrame[] = [];
  for (const b of wire) out.push(...reader.push(Buffer.from([b])));
  assert.deepEqual(out, frames);
  assert.equal(reader.pending, 0);
});

test('control frames carry version 3 and the control bit', () => {
  const f = encodeFrame({ type: 'ping', id: 1 });
  assert.equal(f.toString('hex'), '800300060000000400000001');
  assert.throws(() => new FrameReader().push(Buffer.from('800200060000000400000001', 'hex')), /unsupported SPDY version 2/);
});

test('header blocks: names lower-cased, multiple values NUL-joined', () => {
  const block = encodeHeaderBlock({ StreamType: 'error', a: ['1', '2'] });
  assert.deepEqual(decodeHeaderBlock(block), { streamtype: ['error'], a: ['1', '2'] });
  assert.throws(() => decodeHeaderBlock(block.subarray(0, block.length - 1)), /malformed/);
});

test('the SPDY/3 dictionary has its specified size and decodes what a dictionary compressor (like Go) writes', async () => {
  assert.equal(spdyDictionary.length, 1423);
  const deflate = createDeflate({ dictionary: spdyDictionary, level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const dec = new HeaderDecompressor();
  for (let i = 0; i < 3; i++) {
    deflate.write(encodeHeaderBlock({ streamtype: 'data', port: '8080', requestid: String(i) }));
    await new Promise<void>((r) => deflate.flush(constants.Z_SYNC_FLUSH, () => r()));
    const block = Buffer.concat(chunks.splice(0));
    if (i === 0) assert.equal(block.readUInt16BE(0) & 0x20, 0x20, 'FDICT set');
    assert.deepEqual(decodeHeaderBlock(await dec.decompress(block)), { streamtype: ['data'], port: ['8080'], requestid: [String(i)] });
  }
  dec.close();
  deflate.close();
});

test('our replies are stored blocks: 78 01 once, then each block ends with the empty stored block', async () => {
  const comp = new HeaderCompressor();
  const first = comp.compress(encodeHeaderBlock({}));
  assert.equal(first.subarray(0, 2).toString('hex'), '7801');
  assert.equal(first.subarray(-5).toString('hex'), '0000ffff'.padStart(10, '0'));
  const second = comp.compress(encodeHeaderBlock({ x: 'y' }));
  assert.notEqual(second.subarray(0, 2).toString('hex'), '7801');
  const big = comp.compress(encodeHeaderBlock({ big: 'v'.repeat(70_000) }));
  const dec = new HeaderDecompressor();
  assert.deepEqual(decodeHeaderBlock(await dec.decompress(first)), {});
  assert.deepEqual(decodeHeaderBlock(await dec.decompress(second)), { x: ['y'] });
  assert.equal(decodeHeaderBlock(await dec.decompress(big)).big?.[0]?.length, 70_000);
  dec.close();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex, PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { SpdySession, type SpdyStream } from './session.js';

/** Two connected in-memory Duplexes. */
function pipePair(): [Duplex, Duplex] {
  const aIn = new PassThrough();
  const bIn = new PassThrough();
  const a = Duplex.from({ readable: aIn, writable: bIn });
  const b = Duplex.from({ readable: bIn, writable: aIn });
  return [a, b];
}

test('client and server sessions: streams with headers, data both ways, FIN, large transfers', async () => {
  const [ca, sa] = pipePair();
  const received: SpdyStream[] = [];
  const server = new SpdySession(sa, { isServer: true, onStream: (s) => { received.push(s); s.pipe(s); } });
  const client = new SpdySession(ca, { isServer: false });
  const payload = randomBytes(3 * 1024 * 1024);
  const streams = await Promise.all([client.openStream({ streamtype: 'data', port: '80' }), client.openStream({ streamtype: 'error' })]);
  assert.deepEqual(streams.map((s) => s.id), [1, 3]);
  const echoed = new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    streams[0]!.on('data', (c: Buffer) => chunks.push(c));
    streams[0]!.on('end', () => resolve(Buffer.concat(chunks)));
  });
  streams[0]!.end(payload);
  assert.ok(payload.equals(await echoed));
  assert.equal(received[0]!.header('port'), '80');
  assert.equal(received[1]!.header('streamtype'), 'error');
  streams[1]!.reset();
  client.close();
  await Promise.all([client.closed, server.closed]);
});

test('a reset stream ends for the peer, and pings from the peer are echoed', async () => {
  const [ca, sa] = pipePair();
  let serverStream: SpdyStream | undefined;
  const server = new SpdySession(sa, { isServer: true, onStream: (s) => { serverStream = s; } });
  const client = new SpdySession(ca, { isServer: false });
  const s = await client.openStream({ streamtype: 'stdout' });
  const reset = new Promise<number | undefined>((r) => serverStream!.once('reset', r));
  s.reset(5);
  assert.equal(await reset, 5);
  server.destroy();
  await client.closed;
});

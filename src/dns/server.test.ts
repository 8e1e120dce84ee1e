import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { FakeClient } from '../client/testing/fake-client.js';
import { sharedInformerFactory } from '../client/informer.js';
import { services } from '../api/resources/core/services.js';
import { endpointSlices } from '../api/resources/discovery/endpoint-slices.js';
import { silentLogger } from '../base/log.js';
import { testEndpoint as ep, testService as svc, testSlice as slice } from '../proxy/testing.js';
import { dnsServer, upstreamsFromResolvConf } from './server.js';
import type { ListenAddress } from './server.js';
import { tcpExchange, udpExchange } from './forwarder.js';
import type { Message } from './wire.js';
import { RRType, Rcode, decodeMessage, emptyFlags, encodeMessage, encodeWithLimit } from './wire.js';

// A stand-in for the node's resolver, on loopback: example.com A, a big TXT answer (truncated
// over UDP), counting the queries it gets.
const upstreamHits: string[] = [];
const upstream = createSocket('udp4');
const stop = new AbortController();
let server: ListenAddress;
let run: Promise<void>;
let informersRun: Promise<void>;
const client = new FakeClient();

function upstreamAnswer(q: Message): Message {
  const name = q.questions[0]!.name;
  upstreamHits.push(name);
  const base = { id: q.id, flags: { ...emptyFlags, qr: true, rd: true, ra: true }, questions: q.questions, authorities: [], additionals: [] };
  if (name === 'example.com.') return { ...base, answers: [{ name, type: RRType.A, class: 1, ttl: 60, data: '93.184.216.34' }] };
  if (name === 'big.example.') return { ...base, answers: Array.from({ length: 60 }, (_, i) => ({ name, type: RRType.TXT, class: 1, ttl: 60, data: [`record number ${i} padded out to be long`] })) };
  return { ...base, flags: { ...base.flags, rcode: Rcode.NXDOMAIN }, answers: [] };
}

before(async () => {
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));
  upstream.on('message', (buf, rinfo) => upstream.send(encodeWithLimit(upstreamAnswer(decodeMessage(buf)), 512), rinfo.port, rinfo.address));
  const { createServer } = await import('node:net');
  const tcp = createServer((c) => c.on('data', (d: Buffer) => {
    const out = encodeMessage(upstreamAnswer(decodeMessage(d.subarray(2))));
    const len = Buffer.alloc(2); len.writeUInt16BE(out.length);
    c.end(Buffer.concat([len, out]));
  }));
  await new Promise<void>((r) => tcp.listen(upstream.address().port, '127.0.0.1', r));
  stop.signal.addEventListener('abort', () => tcp.close());

  await client.create(services, svc('default', 'nginx-service', { clusterIP: '10.43.0.20' }));
  await client.create(services, svc('default', 'db', { clusterIP: 'None' }));
  await client.create(endpointSlices, slice('default', 'db', Array.from({ length: 60 }, (_, i) => ep(`10.42.${i >> 8}.${(i & 255) + 1}`))));
  const informers = sharedInformerFactory({ client });
  const ready = new Promise<ListenAddress>((resolve) => {
    const dns = dnsServer({
      informers, clusterDomain: 'cluster.local', log: silentLogger, listen: [{ address: '127.0.0.1', port: 0 }],
      upstream: [{ address: '127.0.0.1', port: upstream.address().port }], upstreamTimeoutMs: 500,
      onListening: (a) => resolve(a[0]!),
    });
    run = dns.run(stop.signal);
  });
  informersRun = informers.run(stop.signal);
  server = await ready;
});

after(async () => {
  stop.abort();
  await Promise.all([run, informersRun]);
  upstream.close();
});

let nextId = 1;
const query = (name: string, type: number = RRType.A, edns = false): Uint8Array => encodeMessage({
  id: nextId++, flags: { ...emptyFlags, rd: true }, questions: [{ name, type, class: 1 }], answers: [], authorities: [],
  additionals: edns ? [{ name: '.', type: RRType.OPT, class: 4096, ttl: 0, data: new Uint8Array(0) }] : [],
});

test('answers cluster names over UDP and TCP, authoritatively', async () => {
  const u = await udpExchange(query('nginx-service.default.svc.cluster.local.'), server, 1000);
  assert.equal(u.flags.aa, true);
  assert.deepEqual(u.answers.map((r) => r.data), ['10.43.0.20']);
  const t = await tcpExchange(query('nginx-service.default.svc.cluster.local.'), server, 1000);
  assert.deepEqual(t.answers.map((r) => r.data), ['10.43.0.20']);
  const nx = await udpExchange(query('nope.default.svc.cluster.local.'), server, 1000);
  assert.equal(nx.flags.rcode, Rcode.NXDOMAIN);
  assert.equal(nx.authorities[0]?.type, RRType.SOA);
  assert.equal(upstreamHits.length, 0, 'nothing of the cluster domain goes upstream');
});

test('a headless Service with many endpoints is truncated over UDP and complete over TCP', async () => {
  const u = await udpExchange(query('db.default.svc.cluster.local.'), server, 1000);
  assert.equal(u.flags.tc, true);
  const e = await udpExchange(query('db.default.svc.cluster.local.', RRType.A, true), server, 1000);
  assert.equal(e.flags.tc, false, 'EDNS0 lets 60 A records fit in 1232 bytes');
  assert.equal(e.answers.length, 60);
  const t = await tcpExchange(query('db.default.svc.cluster.local.'), server, 1000);
  assert.equal(t.answers.length, 60);
});

test('forwards other names to the upstream, caches the answer, retries truncated answers over TCP', async () => {
  const a = await udpExchange(query('example.com.'), server, 2000);
  assert.deepEqual(a.answers.map((r) => r.data), ['93.184.216.34']);
  assert.equal(a.flags.aa, false);
  const b = await udpExchange(query('EXAMPLE.com.'), server, 2000);
  assert.deepEqual(b.answers.map((r) => r.data), ['93.184.216.34']);
  assert.equal(upstreamHits.filter((n) => n.toLowerCase() === 'example.com.').length, 1, 'the second answer came from the cache');
  const big = await tcpExchange(query('big.example.', RRType.TXT), server, 2000);
  assert.equal(big.answers.length, 60);
  const nx = await udpExchange(query('nope.example.'), server, 2000);
  assert.equal(nx.flags.rcode, Rcode.NXDOMAIN);
});

test('garbage gets FORMERR; unsupported opcodes NOTIMP', async () => {
  const sock = createSocket('udp4');
  const reply = await new Promise<Message>((resolve) => {
    sock.on('message', (b) => resolve(decodeMessage(b)));
    sock.send(Buffer.from('abcd0100000100000000000005', 'hex'), server.port, server.address);
  });
  sock.close();
  assert.equal(reply.id, 0xabcd);
  assert.equal(reply.flags.rcode, Rcode.FORMERR);
  const q = query('example.com.');
  q[2] = (q[2]! & 0x87) | (2 << 3); // opcode STATUS
  assert.equal((await udpExchange(q, server, 1000)).flags.rcode, Rcode.NOTIMP);
});

test('upstreams come from resolv.conf without the server itself', () => {
  assert.deepEqual(upstreamsFromResolvConf({ nameservers: ['10.43.0.10', '10.255.255.53'], searches: [], options: [] }, [{ address: '10.43.0.10', port: 53 }]), [{ address: '10.255.255.53', port: 53 }]);
});

/** Cluster DNS queries per second against the server on loopback (UDP, 32 queries in flight). */
import { createSocket } from 'node:dgram';
import { FakeClient } from '../src/client/testing/fake-client.js';
import { sharedInformerFactory } from '../src/client/informer.js';
import { services } from '../src/api/resources/core/services.js';
import { silentLogger } from '../src/base/log.js';
import { dnsServer } from '../src/dns/server.js';
import type { ListenAddress } from '../src/dns/server.js';
import { RRType, emptyFlags, encodeMessage } from '../src/dns/wire.js';
import { testService as svc } from '../src/proxy/testing.js';
import { sleep } from '../src/base/async.js';
import type { Bench } from './types.js';

const bench: Bench = async ({ quick }) => {
  const client = new FakeClient();
  for (let i = 0; i < 1000; i++) await client.create(services, svc('bench', `svc-${i}`, { clusterIP: `10.43.${(i >> 8) + 1}.${i & 255}` }));
  const informers = sharedInformerFactory({ client });
  const stop = new AbortController();
  let run!: Promise<void>;
  const listening = new Promise<ListenAddress>((resolve) => {
    run = dnsServer({ informers, clusterDomain: 'cluster.local', listen: [{ address: '127.0.0.1', port: 0 }], upstream: [], log: silentLogger, onListening: (a) => resolve(a[0]!) }).run(stop.signal);
  });
  const running = informers.run(stop.signal);
  const addr = await listening;
  const total = quick ? 20_000 : 100_000;
  const inFlight = 32;
  const queries = Array.from({ length: 1000 }, (_, i) => encodeMessage({
    id: i, flags: { ...emptyFlags, rd: true }, questions: [{ name: `svc-${i}.bench.svc.cluster.local.`, type: RRType.A, class: 1 }], answers: [], authorities: [], additionals: [],
  }));
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  let sent = 0;
  let received = 0;
  const t0 = performance.now();
  // A lost datagram would stall the loop: stop after 60 s and count what came back.
  const stall = new AbortController();
  const finished = new Promise<void>((resolve) => {
    const send = () => { sock.send(queries[sent % queries.length]!, addr.port, addr.address); sent++; };
    sock.on('message', () => {
      received++;
      if (received === total) resolve();
      else if (sent < total) send();
    });
    for (let i = 0; i < inFlight; i++) send();
  });
  await Promise.race([finished, sleep(60_000, stall.signal).catch(() => undefined)]);
  stall.abort();
  const seconds = (performance.now() - t0) / 1000;
  sock.close();
  stop.abort();
  await Promise.all([run, running]);
  return [{ name: 'cluster DNS (UDP, loopback, 1,000 services)', metric: 'queries/s', value: Math.round(received / seconds), unit: 'q/s' }];
};
export default bench;

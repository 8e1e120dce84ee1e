import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInformer } from '../client/informer.js';
import { FakeClient } from '../client/testing/fake-client.js';
import { services } from '../api/resources/core/services.js';
import type { ServiceObject } from '../api/resources/core/services.js';
import { endpointSlices } from '../api/resources/discovery/endpoint-slices.js';
import { testEndpoint as ep, testService as svc, testSlice as slice } from '../proxy/testing.js';
import { clusterZone } from './cluster-zone.js';
import { RRType, Rcode } from './wire.js';
import type { Srv } from './wire.js';

const client = new FakeClient();
const svcCache = createInformer(services, { client });
const sliceCache = createInformer(endpointSlices, { client });
const zone = clusterZone({ services: svcCache, endpointSlices: sliceCache, clusterDomain: 'cluster.local', dnsIP: '10.43.0.10' });
const withRv = <T extends { metadata: object }>(o: T): T => ({ ...o, metadata: { ...o.metadata, resourceVersion: '1' } });
svcCache.replace([
  svc('default', 'nginx-service', { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { port: 9000, protocol: 'TCP' }] }),
  svc('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }),
  svc('default', 'alias', { type: 'ExternalName', externalName: 'example.com' }),
  svc('default', 'inside', { type: 'ExternalName', externalName: 'nginx-service.default.svc.cluster.local' }),
  svc('default', 'empty', { clusterIP: 'None' }),
].map(withRv) as ServiceObject[]);
sliceCache.replace([
  slice('default', 'db', [
    ep('10.42.0.7', 'node-a', { ready: true }, { hostname: 'db-0' }),
    ep('10.42.1.8', 'node-b', { ready: true }, { hostname: 'db-1' }),
    ep('10.42.1.9', 'node-b', { ready: false }, { hostname: 'db-2' }),
    ep('10.42.2.3'),
  ], [{ name: 'pg', port: 5432, protocol: 'TCP' }]),
].map(withRv));

const ask = (name: string, type: number = RRType.A) => zone.answer({ name, type, class: 1 });

test('A for a ClusterIP Service is its ClusterIP; AAAA is NODATA with the SOA', () => {
  const a = ask('nginx-service.default.svc.cluster.local.')!;
  assert.equal(a.rcode, Rcode.NOERROR);
  assert.deepEqual(a.answers.map((r) => [r.name, r.data, r.ttl]), [['nginx-service.default.svc.cluster.local.', '10.43.0.20', 5]]);
  const aaaa = ask('NGINX-SERVICE.default.svc.cluster.local', RRType.AAAA)!;
  assert.equal(aaaa.rcode, Rcode.NOERROR);
  assert.equal(aaaa.answers.length, 0);
  assert.equal(aaaa.authorities[0]?.type, RRType.SOA);
});

test('A for a headless Service is its ready endpoints; each endpoint has a name', () => {
  assert.deepEqual(ask('db.default.svc.cluster.local')!.answers.map((r) => r.data), ['10.42.0.7', '10.42.1.8', '10.42.2.3']);
  assert.deepEqual(ask('db-1.db.default.svc.cluster.local')!.answers.map((r) => r.data), ['10.42.1.8']);
  assert.deepEqual(ask('10-42-2-3.db.default.svc.cluster.local')!.answers.map((r) => r.data), ['10.42.2.3']);
  assert.equal(ask('db-2.db.default.svc.cluster.local')!.rcode, Rcode.NXDOMAIN, 'not ready: no record');
  assert.equal(ask('x.nginx-service.default.svc.cluster.local')!.rcode, Rcode.NXDOMAIN);
});

test('SRV for named ports: ClusterIP Services point at the service name, headless at each endpoint', () => {
  const s = ask('_http._tcp.nginx-service.default.svc.cluster.local', RRType.SRV)!;
  assert.deepEqual(s.answers.map((r) => r.data), [{ priority: 0, weight: 100, port: 80, target: 'nginx-service.default.svc.cluster.local.' }]);
  assert.deepEqual(s.additionals.map((r) => r.data), ['10.43.0.20']);
  const h = ask('_pg._tcp.db.default.svc.cluster.local', RRType.SRV)!;
  assert.deepEqual(h.answers.map((r) => (r.data as Srv).target), ['db-0.db.default.svc.cluster.local.', 'db-1.db.default.svc.cluster.local.', '10-42-2-3.db.default.svc.cluster.local.']);
  assert.deepEqual(h.answers.map((r) => (r.data as Srv).port), [5432, 5432, 5432]);
  assert.equal(h.additionals.length, 3);
  assert.equal(ask('_nope._tcp.nginx-service.default.svc.cluster.local', RRType.SRV)!.rcode, Rcode.NXDOMAIN);
  assert.equal(ask('_http._udp.nginx-service.default.svc.cluster.local', RRType.SRV)!.rcode, Rcode.NXDOMAIN);
  assert.equal(ask('nginx-service.default.svc.cluster.local', RRType.SRV)!.answers.length, 2, 'unnamed ports have no _port name but are listed under the service name');
});

test('ExternalName is a CNAME; a target inside the cluster is chased', () => {
  const a = ask('alias.default.svc.cluster.local')!;
  assert.deepEqual(a.answers.map((r) => [r.type, r.data]), [[RRType.CNAME, 'example.com.']]);
  const b = ask('inside.default.svc.cluster.local')!;
  assert.deepEqual(b.answers.map((r) => [r.type, r.data]), [[RRType.CNAME, 'nginx-service.default.svc.cluster.local.'], [RRType.A, '10.43.0.20']]);
});

test('unknown names inside the domain are NXDOMAIN with the SOA; empty non-terminals are NODATA', () => {
  for (const name of ['nope.default.svc.cluster.local', 'nginx-service.other.svc.cluster.local', 'other.svc.cluster.local', 'www.google.com.default.svc.cluster.local', 'foo.cluster.local']) {
    const a = ask(name)!;
    assert.equal(a.rcode, Rcode.NXDOMAIN, name);
    assert.equal(a.authorities[0]?.type, RRType.SOA, name);
  }
  for (const name of ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'pod.cluster.local']) assert.equal(ask(name)!.rcode, Rcode.NOERROR, name);
  assert.equal(ask('cluster.local', RRType.SOA)!.answers[0]?.type, RRType.SOA);
  assert.deepEqual(ask('cluster.local', RRType.NS)!.additionals.map((r) => r.data), ['10.43.0.10']);
  assert.equal(ask('empty.default.svc.cluster.local')!.answers.length, 0);
});

test('pod A records by dashed IP', () => {
  assert.deepEqual(ask('10-42-0-7.default.pod.cluster.local')!.answers.map((r) => r.data), ['10.42.0.7']);
  assert.equal(ask('10-42-0-999.default.pod.cluster.local')!.rcode, Rcode.NXDOMAIN);
});

test('PTR for ClusterIPs and headless endpoints; unknown IPs and other names are not ours', () => {
  assert.deepEqual(ask('20.0.43.10.in-addr.arpa.', RRType.PTR)!.answers.map((r) => r.data), ['nginx-service.default.svc.cluster.local.']);
  assert.deepEqual(ask('8.1.42.10.in-addr.arpa', RRType.PTR)!.answers.map((r) => r.data), ['db-1.db.default.svc.cluster.local.']);
  assert.deepEqual(ask('3.2.42.10.in-addr.arpa', RRType.PTR)!.answers.map((r) => r.data), ['10-42-2-3.db.default.svc.cluster.local.']);
  assert.equal(ask('9.9.9.9.in-addr.arpa', RRType.PTR), undefined);
  assert.equal(ask('example.com'), undefined);
  assert.equal(ask('cluster.localhost'), undefined);
});

test('answers follow the caches', () => {
  svcCache.apply('DELETED', svcCache.get('default/nginx-service')!);
  assert.equal(ask('nginx-service.default.svc.cluster.local')!.rcode, Rcode.NXDOMAIN);
  assert.equal(ask('20.0.43.10.in-addr.arpa', RRType.PTR), undefined);
});

import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { services } from '../api/resources/core/services.js';
import { endpointSlices } from '../api/resources/discovery/endpoint-slices.js';
import type { Logger } from '../base/log.js';
import type { SharedInformerFactory } from '../client/informer.js';
import { clusterZone } from './cluster-zone.js';
import type { ClusterZone } from './cluster-zone.js';
import { forwarder } from './forwarder.js';
import type { Forwarder, Upstream } from './forwarder.js';
import type { ResolvConf } from './resolv-conf.js';
import type { Message, ResourceRecord } from './wire.js';
import { Opcode, RRType, Rcode, decodeMessage, emptyFlags, encodeWithLimit } from './wire.js';

export interface ListenAddress { address: string; port: number }

export interface DnsServerDeps {
  informers: SharedInformerFactory;
  /** cluster.local */
  clusterDomain: string;
  /** Where to answer, UDP and TCP on each (the cluster DNS IP on the sink bridge, port 53). */
  listen: readonly ListenAddress[];
  /** The node's resolvers for every other name (see upstreamsFromResolvConf). */
  upstream: readonly Upstream[];
  log: Logger;
  /** TTL of cluster answers; default 5 s. */
  ttl?: number;
  /** Per-attempt upstream timeout; default 2 s. */
  upstreamTimeoutMs?: number;
  /** Called once every socket listens (tests, readiness). */
  onListening?(addresses: ListenAddress[]): void;
}

/** The EDNS0 payload size we advertise and accept at most (the DNS flag day 2020 value). */
export const ednsPayload = 1232;

/**
 * The resolvers of the node's resolv.conf as upstreams, leaving out our own listen addresses
 * (a resolv.conf pointing at the cluster DNS would loop).
 */
export function upstreamsFromResolvConf(conf: ResolvConf, exclude: readonly ListenAddress[] = []): Upstream[] {
  const own = new Set(exclude.map((l) => l.address));
  return conf.nameservers.filter((ns) => !own.has(ns)).map((address) => ({ address, port: 53 }));
}

/** Answers one query message: the cluster zone first, the forwarder for the rest. */
export async function handleQuery(query: Message, zone: ClusterZone, fwd: Forwarder | undefined, signal?: AbortSignal): Promise<Message> {
  const edns = query.additionals.find((r) => r.type === RRType.OPT);
  const opt: ResourceRecord[] = edns ? [{ name: '.', type: RRType.OPT, class: ednsPayload, ttl: 0, data: new Uint8Array(0) }] : [];
  const reply = (rcode: number, extra: Partial<Message> = {}, aa = false): Message => ({
    id: query.id,
    flags: { ...emptyFlags, qr: true, opcode: query.flags.opcode, rd: query.flags.rd, ra: true, aa, rcode },
    questions: query.questions, answers: [], authorities: [], additionals: opt, ...extra,
  });
  if (query.flags.opcode !== Opcode.QUERY) return reply(Rcode.NOTIMP);
  if (query.questions.length !== 1) return reply(Rcode.FORMERR);
  const q = query.questions[0]!;
  const local = zone.answer(q);
  if (local) return reply(local.rcode, { answers: local.answers, authorities: local.authorities, additionals: [...local.additionals, ...opt] }, true);
  if (!fwd) return reply(Rcode.REFUSED);
  try {
    const up = await fwd.forward(query, signal);
    return { ...up, id: query.id, questions: query.questions };
  } catch {
    return reply(Rcode.SERVFAIL);
  }
}

/** The largest UDP answer the client accepts: 512 without EDNS, its advertised size (capped) with. */
function udpLimit(query: Message | undefined): number {
  const opt = query?.additionals.find((r) => r.type === RRType.OPT);
  return opt ? Math.max(512, Math.min(opt.class, ednsPayload)) : 512;
}

/** A reply to a message that could not be decoded: FORMERR with its id, when the header is there. */
function formErr(buf: Uint8Array): Uint8Array | undefined {
  if (buf.length < 12 || (buf[2]! & 0x80) !== 0) return undefined;
  const id = (buf[0]! << 8) | buf[1]!;
  return encodeWithLimit({ id, flags: { ...emptyFlags, qr: true, rcode: Rcode.FORMERR }, questions: [], answers: [], authorities: [], additionals: [] }, 512);
}

/**
 * The cluster DNS server (CoreDNS's role in a cluster): UDP and TCP on each listen address,
 * answering the cluster domain from the Service and EndpointSlice caches and forwarding every
 * other name to the node's resolvers. Starts listening once both caches have synced.
 */
export function dnsServer(deps: DnsServerDeps): { run(signal: AbortSignal): Promise<void> } {
  const log = deps.log.child({ component: 'dns' });
  const serviceCache = deps.informers.for(services);
  const sliceCache = deps.informers.for(endpointSlices);
  const zone = clusterZone({ services: serviceCache, endpointSlices: sliceCache, clusterDomain: deps.clusterDomain, ttl: deps.ttl, dnsIP: deps.listen[0]?.address });
  const fwd = deps.upstream.length ? forwarder({ upstreams: deps.upstream, timeoutMs: deps.upstreamTimeoutMs }) : undefined;

  async function answer(buf: Uint8Array, limit: (q: Message | undefined) => number, signal: AbortSignal): Promise<Uint8Array | undefined> {
    let query: Message;
    try {
      query = decodeMessage(buf);
    } catch {
      return formErr(buf);
    }
    if (query.flags.qr) return undefined;
    const reply = await handleQuery(query, zone, fwd, signal);
    return encodeWithLimit(reply, limit(query));
  }

  function serveUdp(l: ListenAddress, signal: AbortSignal): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const sock = createSocket(l.address.includes(':') ? 'udp6' : 'udp4');
      sock.once('error', reject);
      sock.on('message', (buf, rinfo) => {
        void answer(buf, udpLimit, signal).then((out) => {
          if (out && !signal.aborted) sock.send(out, rinfo.port, rinfo.address);
        }).catch((err: unknown) => log.warn('answering a UDP query failed', { err }));
      });
      sock.bind(l.port, l.address, () => {
        sock.off('error', reject);
        sock.on('error', (err) => log.warn('UDP socket error', { err, address: l.address }));
        resolve(sock);
      });
    });
  }

  function serveTcp(l: ListenAddress, signal: AbortSignal, conns: Set<Socket>): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((conn) => {
        conns.add(conn);
        conn.setTimeout(10_000, () => conn.destroy());
        conn.on('close', () => conns.delete(conn));
        conn.on('error', () => conn.destroy());
        let buf = Buffer.alloc(0);
        conn.on('data', (chunk: Buffer) => {
          buf = Buffer.concat([buf, chunk]);
          while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
            buf = buf.subarray(2 + msg.length);
            void answer(msg, () => 65535, signal).then((out) => {
              if (!out || conn.destroyed) return;
              const len = Buffer.alloc(2);
              len.writeUInt16BE(out.length);
              conn.write(Buffer.concat([len, out]));
            }).catch((err: unknown) => log.warn('answering a TCP query failed', { err }));
          }
        });
      });
      server.once('error', reject);
      server.listen(l.port, l.address, () => { server.off('error', reject); resolve(server); });
    });
  }

  return {
    async run(signal) {
      try {
        await Promise.all([serviceCache.waitForSync(signal), sliceCache.waitForSync(signal)]);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      const udp: UdpSocket[] = [];
      const tcp: Server[] = [];
      const conns = new Set<Socket>();
      try {
        for (const l of deps.listen) {
          const sock = await serveUdp(l, signal);
          udp.push(sock);
          // Port 0 (tests): TCP takes the port UDP was given.
          tcp.push(await serveTcp({ address: l.address, port: sock.address().port }, signal, conns));
        }
        const bound = deps.listen.map((l, i) => ({ address: l.address, port: (udp[i]!.address()).port }));
        log.info('cluster DNS listening', { addresses: bound.map((b) => `${b.address}:${b.port}`).join(','), domain: deps.clusterDomain });
        deps.onListening?.(bound);
        if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      } finally {
        for (const s of udp) s.close();
        for (const c of conns) c.destroy();
        await Promise.all(tcp.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      }
    },
  };
}

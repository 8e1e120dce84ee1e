import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { Clock } from '../base/clock.js';
import { systemClock } from '../base/clock.js';
import type { Message, Question } from './wire.js';
import { RRType, Rcode, canonicalName, decodeMessage, encodeMessage } from './wire.js';

export interface Upstream { address: string; port: number }

export interface ForwarderOptions {
  upstreams: readonly Upstream[];
  /** Per-attempt timeout; default 2 s. */
  timeoutMs?: number;
  /** Cached answers at most; default 10,000. */
  cacheSize?: number;
  /** Longest time an answer is cached; default 30 s (CoreDNS cache). */
  maxTtl?: number;
  clock?: Clock;
}

export interface Forwarder {
  /** The upstream's answer to `query` (its id is the query's), from the cache when fresh. */
  forward(query: Message, signal?: AbortSignal): Promise<Message>;
}

interface CacheEntry { msg: Message; stored: number; expires: number }

const cacheKey = (q: Question, dnssec: boolean) => `${canonicalName(q.name)}/${q.type}/${q.class}/${dnssec ? 'do' : ''}`;

/**
 * Forwards queries for names outside the cluster to the node's resolvers (UDP, then TCP when
 * the answer is truncated), trying each upstream in turn, with a small TTL-respecting cache of
 * answers (negative answers by the SOA minimum) whose TTLs count down while cached.
 */
export function forwarder(opts: ForwarderOptions): Forwarder {
  if (opts.upstreams.length === 0) throw new Error('the DNS forwarder needs at least one upstream resolver');
  const clock = opts.clock ?? systemClock;
  const timeoutMs = opts.timeoutMs ?? 2000;
  const maxEntries = opts.cacheSize ?? 10_000;
  const maxTtl = opts.maxTtl ?? 30;
  const cache = new Map<string, CacheEntry>();

  function lookup(key: string): Message | undefined {
    const e = cache.get(key);
    if (!e) return undefined;
    const now = clock.now();
    if (now >= e.expires) { cache.delete(key); return undefined; }
    const elapsed = Math.floor((now - e.stored) / 1000);
    const age = (rrs: Message['answers']) => rrs.map((r) => (r.type === RRType.OPT ? r : { ...r, ttl: Math.max(0, r.ttl - elapsed) }));
    return { ...e.msg, answers: age(e.msg.answers), authorities: age(e.msg.authorities), additionals: age(e.msg.additionals) };
  }

  function store(key: string, msg: Message): void {
    if (msg.flags.tc || (msg.flags.rcode !== Rcode.NOERROR && msg.flags.rcode !== Rcode.NXDOMAIN)) return;
    let ttl: number;
    if (msg.answers.length) ttl = Math.min(...msg.answers.map((r) => r.ttl));
    else {
      const soa = msg.authorities.find((r) => r.type === RRType.SOA);
      if (!soa) return;
      ttl = Math.min(soa.ttl, (soa.data as { minimum: number }).minimum);
    }
    ttl = Math.min(ttl, maxTtl);
    if (ttl <= 0) return;
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    const now = clock.now();
    cache.set(key, { msg, stored: now, expires: now + ttl * 1000 });
  }

  return {
    async forward(query, signal) {
      const q = query.questions[0];
      if (!q) throw new Error('a query without a question');
      const dnssec = query.additionals.some((r) => r.type === RRType.OPT && (r.ttl & 0x8000) !== 0);
      const key = cacheKey(q, dnssec);
      const hit = lookup(key);
      if (hit) return { ...hit, id: query.id };
      const wire = encodeMessage({ ...query, id: (Math.random() * 0x10000) | 0 });
      let lastErr: unknown;
      for (const up of opts.upstreams) {
        try {
          let reply = await udpExchange(wire, up, timeoutMs, signal);
          if (reply.flags.tc) reply = await tcpExchange(wire, up, timeoutMs, signal);
          store(key, reply);
          return { ...reply, id: query.id };
        } catch (err) {
          if (signal?.aborted) throw err;
          lastErr = err;
        }
      }
      throw new Error(`no upstream resolver answered ${q.name}`, { cause: lastErr });
    },
  };
}

function timeoutSignal(ms: number, signal?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([t, signal]) : t;
}

/** One query over UDP; ignores datagrams that are not the answer (wrong id or source). */
export function udpExchange(wire: Uint8Array, to: Upstream, timeoutMs: number, signal?: AbortSignal): Promise<Message> {
  const id = (wire[0]! << 8) | wire[1]!;
  const done = timeoutSignal(timeoutMs, signal);
  return new Promise((resolve, reject) => {
    const sock = createSocket(to.address.includes(':') ? 'udp6' : 'udp4');
    const finish = (err: unknown, msg?: Message) => {
      done.removeEventListener('abort', onAbort);
      sock.close();
      if (err) reject(err); else resolve(msg!);
    };
    const onAbort = () => finish(done.reason ?? new Error('DNS query timed out'));
    done.addEventListener('abort', onAbort, { once: true });
    sock.on('error', (err) => finish(err));
    sock.on('message', (buf, rinfo) => {
      if (rinfo.port !== to.port) return;
      let msg: Message;
      try { msg = decodeMessage(buf); } catch { return; }
      if (msg.id !== id || !msg.flags.qr) return;
      finish(undefined, msg);
    });
    sock.send(wire, to.port, to.address, (err) => { if (err) finish(err); });
  });
}

/** One query over TCP (two-byte length prefix, RFC 1035 §4.2.2). */
export function tcpExchange(wire: Uint8Array, to: Upstream, timeoutMs: number, signal?: AbortSignal): Promise<Message> {
  const done = timeoutSignal(timeoutMs, signal);
  return new Promise((resolve, reject) => {
    const sock = connect({ host: to.address, port: to.port });
    let buf = Buffer.alloc(0);
    const finish = (err: unknown, msg?: Message) => {
      done.removeEventListener('abort', onAbort);
      sock.destroy();
      if (err) reject(err); else resolve(msg!);
    };
    const onAbort = () => finish(done.reason ?? new Error('DNS query timed out'));
    done.addEventListener('abort', onAbort, { once: true });
    sock.on('error', (err) => finish(err));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(wire.length);
      sock.write(Buffer.concat([len, wire]));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2) return;
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) return;
      try { finish(undefined, decodeMessage(buf.subarray(2, 2 + len))); } catch (err) { finish(err); }
    });
    sock.on('end', () => finish(new Error('upstream closed the TCP connection before answering')));
  });
}

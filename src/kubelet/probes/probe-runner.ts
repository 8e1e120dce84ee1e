/**
 * One probe attempt — httpGet, tcpSocket, exec (CRI ExecSync) or grpc (grpc.health.v1) — with
 * the outcome and the output the kubelet puts in its events (`HTTP probe failed with statuscode: 500`).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Container, ExecAction, GRPCAction, HTTPGetAction, TCPSocketAction } from 'kubernetes-types/core/v1.js';
import type { CriClient } from '../cri/client.js';

export type ProbeResult = 'success' | 'failure';
export interface ProbeOutcome { result: ProbeResult; output: string }

export interface ProbeTarget {
  cri: CriClient;
  container: Container;
  containerId: string;
  podIP: string | undefined;
  timeoutSeconds: number;
  signal?: AbortSignal;
}

/** A port given by number or by the name of a container port. */
export function resolvePort(port: number | string | undefined, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

/** Upstream counts 200 ≤ code < 400 as success. */
export function httpCodeResult(code: number): ProbeOutcome {
  if (code >= 200 && code < 400) return { result: 'success', output: '' };
  return { result: 'failure', output: `HTTP probe failed with statuscode: ${code}` };
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function dialError(err: unknown, host: string, port: number): string {
  const e = err as NodeJS.ErrnoException;
  const target = hostPort(host, port);
  if (e.code === 'ECONNREFUSED') return `dial tcp ${target}: connect: connection refused`;
  if (e.code === 'EHOSTUNREACH') return `dial tcp ${target}: connect: no route to host`;
  if (e.code === 'ETIMEDOUT' || e.name === 'TimeoutError') return `dial tcp ${target}: i/o timeout`;
  return `dial tcp ${target}: ${e.message}`;
}

export function runHttpGet(a: HTTPGetAction, t: ProbeTarget, userAgent = 'kube-probe/1.33'): Promise<ProbeOutcome> {
  const host = a.host || t.podIP || '127.0.0.1';
  const port = resolvePort(a.port, t.container);
  const scheme = (a.scheme ?? 'HTTP').toLowerCase();
  const path = a.path ? (a.path.startsWith('/') ? a.path : `/${a.path}`) : '/';
  const url = `${scheme}://${hostPort(host, port ?? 0)}${path}`;
  if (port === undefined || port <= 0) return Promise.resolve({ result: 'failure', output: `unable to resolve port ${String(a.port)} of container ${t.container.name}` });
  const headers: Record<string, string> = { 'User-Agent': userAgent, Accept: '*/*' };
  for (const h of a.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const req = (scheme === 'https' ? httpsRequest : httpRequest)(url, {
      method: 'GET', headers, timeout: t.timeoutSeconds * 1000, signal: t.signal,
      ...(scheme === 'https' ? { rejectUnauthorized: false } : {}),
    }, (res) => {
      res.resume(); // the body is not looked at
      res.on('end', () => resolve(httpCodeResult(res.statusCode ?? 0)));
      res.on('error', (err) => resolve({ result: 'failure', output: `Get "${url}": ${err.message}` }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ result: 'failure', output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (err) => resolve({ result: 'failure', output: `Get "${url}": ${dialError(err, host, port)}` }));
    req.end();
  });
}

export function runTcpSocket(a: TCPSocketAction, t: ProbeTarget): Promise<ProbeOutcome> {
  const host = a.host || t.podIP || '127.0.0.1';
  const port = resolvePort(a.port, t.container);
  if (port === undefined || port <= 0) return Promise.resolve({ result: 'failure', output: `unable to resolve port ${String(a.port)} of container ${t.container.name}` });
  return new Promise((resolve) => {
    const sock = connect({ host, port, timeout: t.timeoutSeconds * 1000 });
    const done = (o: ProbeOutcome) => { sock.destroy(); resolve(o); };
    sock.once('connect', () => done({ result: 'success', output: '' }));
    sock.once('timeout', () => done({ result: 'failure', output: `dial tcp ${hostPort(host, port)}: i/o timeout` }));
    sock.once('error', (err) => done({ result: 'failure', output: dialError(err, host, port) }));
  });
}

export async function runExec(a: ExecAction, t: ProbeTarget): Promise<ProbeOutcome> {
  const cmd = a.command ?? [];
  try {
    const res = await t.cri.runtime.execSync({ containerId: t.containerId, cmd, timeout: t.timeoutSeconds },
      { signal: t.signal, timeoutMs: (t.timeoutSeconds + 5) * 1000 });
    const output = Buffer.concat([Buffer.from(res.stdout ?? []), Buffer.from(res.stderr ?? [])]).toString('utf8');
    if ((res.exitCode ?? 0) === 0) return { result: 'success', output };
    return { result: 'failure', output: output || `command ${JSON.stringify(cmd.join(' '))} exited with ${res.exitCode}` };
  } catch (err) {
    if (t.signal?.aborted) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    if (/DeadlineExceeded|deadline|timeout/i.test(msg)) return { result: 'failure', output: `command timed out: "${cmd.join(' ')}" timed out after ${t.timeoutSeconds}s` };
    return { result: 'failure', output: msg };
  }
}

/** grpc.health.v1 messages, encoded by hand: HealthCheckRequest{service=1}, HealthCheckResponse{status=1}. */
function encodeHealthRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const s = Buffer.from(service, 'utf8');
  const len: number[] = [];
  let n = s.length;
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; len.push(b); } while (n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), s]);
}
const servingStatus = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
export function decodeHealthResponse(b: Buffer): string {
  for (let i = 0; i < b.length;) {
    const tag = b[i++]!;
    let v = 0;
    let shift = 0;
    for (;;) { const x = b[i++]!; v |= (x & 0x7f) << shift; shift += 7; if (!(x & 0x80)) break; }
    if (tag === 0x08) return servingStatus[v] ?? String(v);
  }
  return 'UNKNOWN';
}

export function runGrpc(a: GRPCAction, t: ProbeTarget): Promise<ProbeOutcome> {
  const host = t.podIP || '127.0.0.1';
  const target = hostPort(host, a.port);
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  return new Promise<ProbeOutcome>((resolve) => {
    const deadline = new Date(Date.now() + t.timeoutSeconds * 1000);
    client.makeUnaryRequest('/grpc.health.v1.Health/Check', (x: string) => encodeHealthRequest(x), (b: Buffer) => decodeHealthResponse(b),
      a.service ?? '', new grpc.Metadata({ waitForReady: true } as grpc.MetadataOptions), { deadline },
      (err, status) => {
        if (err) {
          if (err.code === grpc.status.DEADLINE_EXCEEDED) {
            resolve({ result: 'failure', output: `timeout: failed to connect service "${target}" within ${t.timeoutSeconds}s: context deadline exceeded` });
          } else if (err.code === grpc.status.UNIMPLEMENTED) {
            resolve({ result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}` });
          } else {
            resolve({ result: 'failure', output: `error: health rpc probe failed: ${err.details}` });
          }
          return;
        }
        if (status === 'SERVING') resolve({ result: 'success', output: '' });
        else resolve({ result: 'failure', output: `service unhealthy (responded with "${status}")` });
      });
  }).finally(() => client.close());
}

export interface ProbeHandler { exec?: ExecAction; httpGet?: HTTPGetAction; tcpSocket?: TCPSocketAction; grpc?: GRPCAction }

export function runProbe(h: ProbeHandler, t: ProbeTarget): Promise<ProbeOutcome> {
  if (h.exec) return runExec(h.exec, t);
  if (h.httpGet) return runHttpGet(h.httpGet, t);
  if (h.tcpSocket) return runTcpSocket(h.tcpSocket, t);
  if (h.grpc) return runGrpc(h.grpc, t);
  return Promise.resolve({ result: 'failure', output: 'missing probe handler' });
}

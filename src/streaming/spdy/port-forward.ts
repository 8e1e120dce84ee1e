/**
 * Port forwarding over a SPDY/3.1 session (`portforward.k8s.io`): per forwarded connection the
 * client opens an `error` stream and a `data` stream carrying the same `port` and `requestid`
 * headers. When both exist the pair goes to the handler; afterwards both streams are closed.
 */
import type { SpdySession, SpdyStream } from './session.js';
import { parsePort, type PortForwardHandler } from '../port-forward.js';

interface Pair { error?: SpdyStream; data?: SpdyStream; started: boolean }

/** Serves port-forward streams on a session whose `onStream` is wired to the returned function. */
export function spdyPortForwarder(handler: PortForwardHandler, onFailure?: (err: unknown) => void): { onStream(stream: SpdyStream): void; drained(): Promise<void> } {
  const pairs = new Map<string, Pair>();
  const running = new Set<Promise<void>>();

  function requestIdOf(stream: SpdyStream, type: string): string {
    const id = stream.header('requestid');
    if (id !== undefined) return id;
    // Clients before 1.6 sent no requestid: the error stream came first, the data stream next.
    return String(type === 'data' ? stream.id - 2 : stream.id);
  }

  function start(pair: Pair): void {
    const error = pair.error!;
    const data = pair.data!;
    pair.started = true;
    const abort = new AbortController();
    data.once('reset', () => abort.abort());
    data.once('close', () => abort.abort());
    error.resume();
    data.on('error', () => abort.abort());
    error.on('error', () => undefined);
    const port = parsePort(data.header('port'));
    const task = (async () => {
      if (port === undefined) {
        error.write(`invalid port "${data.header('port') ?? ''}"`);
        return;
      }
      await handler({ port, data, error: (message) => { if (!error.writableEnded) error.write(message); }, signal: abort.signal });
    })()
      .catch((err: unknown) => {
        if (!error.writableEnded) error.write(err instanceof Error ? err.message : String(err));
        onFailure?.(err);
      })
      .finally(() => {
        if (!error.writableEnded) error.end();
        if (!data.writableEnded) data.end();
        running.delete(task);
      });
    running.add(task);
  }

  return {
    onStream(stream) {
      const type = stream.header('streamtype');
      if (type !== 'error' && type !== 'data') { stream.reset(); return; }
      const id = requestIdOf(stream, type);
      const pair = pairs.get(id) ?? { started: false };
      if (pair[type] || pair.started) { stream.reset(); return; }
      pair[type] = stream;
      pairs.set(id, pair);
      if (pair.error && pair.data) { pairs.delete(id); start(pair); }
    },
    async drained() { await Promise.all([...running]); },
  };
}

/** Runs a port-forward session until the client closes it, then waits for open forwards to finish. */
export async function runSpdyPortForward(session: SpdySession, forwarder: { drained(): Promise<void> }): Promise<void> {
  await session.closed;
  await forwarder.drained();
}

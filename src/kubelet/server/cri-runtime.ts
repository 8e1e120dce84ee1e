/**
 * The StreamingRuntime of a real node: containers are found through the CRI by the kubelet's
 * labels; exec/attach/port-forward ask the runtime for a URL of its own streaming server
 * (containerd's speaks SPDY/3.1 with `v4.channel.k8s.io` / `portforward.k8s.io`) and bridge the
 * client's session to it as a SPDY client, exit status included; logs are read from the CRI log
 * file the runtime reports.
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../base/log.js';
import type { CriClient } from '../cri/client.js';
import type { Container } from '../cri/types.js';
import { containerNameLabel, podNameLabel, podNamespaceLabel } from '../labels.js';
import { failureStatus, formatTerminalSize, parseStreamStatus, remoteCommandProtocols, type RemoteCommandHandler, type RemoteCommandOptions } from '../../streaming/remote-command.js';
import type { PortForwardHandler } from '../../streaming/port-forward.js';
import { dialSpdy } from '../../streaming/spdy/upgrade.js';
import type { SpdySession, SpdyStream } from '../../streaming/spdy/session.js';
import { writeContainerLog } from './logs.js';
import { StreamingError, type ContainerRef, type LogOptions, type LogWriter, type PodRef, type StreamingRuntime } from './runtime.js';

export interface CriStreamingDeps {
  cri: CriClient;
  log: Logger;
}

const execProtocol = remoteCommandProtocols.v4;

function byNewest(a: { createdAt?: number }, b: { createdAt?: number }): number {
  return (b.createdAt ?? 0) - (a.createdAt ?? 0);
}

export function criStreamingRuntime(deps: CriStreamingDeps): StreamingRuntime {
  const { cri } = deps;
  const log = deps.log.child({ component: 'kubelet-streaming' });

  async function sandboxOf(ref: PodRef): Promise<string> {
    const { items = [] } = await cri.runtime.listPodSandbox({
      filter: { labelSelector: { [podNamespaceLabel]: ref.namespace, [podNameLabel]: ref.pod } },
    });
    const ready = items.filter((s) => s.state === 'SANDBOX_READY' && (!ref.uid || s.metadata?.uid === ref.uid)).sort(byNewest);
    if (!ready[0]?.id) throw new StreamingError(404, 'pod does not exist');
    return ready[0].id;
  }

  async function containersOf(ref: ContainerRef): Promise<Container[]> {
    const { containers = [] } = await cri.runtime.listContainers({
      filter: { labelSelector: { [podNamespaceLabel]: ref.namespace, [podNameLabel]: ref.pod, [containerNameLabel]: ref.container } },
    });
    return containers.sort(byNewest);
  }

  async function runningContainer(ref: ContainerRef): Promise<string> {
    const running = (await containersOf(ref)).find((c) => c.state === 'CONTAINER_RUNNING');
    if (!running?.id) throw new StreamingError(500, `container not found ("${ref.container}")`);
    return running.id;
  }

  function bridge(getUrl: () => Promise<string>): RemoteCommandHandler {
    return async (session) => {
      let upstream: SpdySession | undefined;
      try {
        const url = await getUrl();
        ({ session: upstream } = await dialSpdy(url, [execProtocol], { signal: session.signal }));
        const up = upstream;
        session.signal.addEventListener('abort', () => up.destroy(), { once: true });
        const { options } = session;
        const open = (type: string) => up.openStream({ streamtype: type });
        const error = await open('error');
        error.end();
        // Read the status from the start: a quick command's status can arrive while the other
        // streams are still being opened.
        const errorText = readText(error);
        const stdin = options.stdin ? await open('stdin') : undefined;
        const stdout = options.stdout ? await open('stdout') : undefined;
        const stderr = options.stderr && !options.tty ? await open('stderr') : undefined;
        const resize = options.tty ? await open('resize') : undefined;
        if (stdin && session.stdin) session.stdin.pipe(stdin);
        else stdin?.end();
        if (resize) {
          resize.resume();
          session.onResize((size) => { if (!resize.writableEnded) resize.write(formatTerminalSize(size)); });
        }
        const copies = [copyOut(stdout, session.stdout), copyOut(stderr, session.stderr)];
        const status = await errorText;
        await Promise.all(copies);
        await session.finish(parseStreamStatus(status, execProtocol));
      } catch (err) {
        if (session.signal.aborted) return;
        log.warn('exec bridge failed', { err });
        await session.finish(failureStatus(err instanceof Error ? err.message : String(err)));
      } finally {
        upstream?.close();
      }
    };
  }

  return {
    async exec(ref, command, options: RemoteCommandOptions) {
      await sandboxOf(ref);
      const containerId = await runningContainer(ref);
      return bridge(async () => {
        const { url } = await cri.runtime.exec({ containerId, cmd: command, tty: options.tty, stdin: options.stdin, stdout: options.stdout, stderr: options.stderr || options.tty });
        if (!url) throw new Error('runtime returned no exec URL');
        return url;
      });
    },

    async attach(ref, options) {
      await sandboxOf(ref);
      const containerId = await runningContainer(ref);
      return bridge(async () => {
        const { url } = await cri.runtime.attach({ containerId, tty: options.tty, stdin: options.stdin, stdout: options.stdout, stderr: options.stderr || options.tty });
        if (!url) throw new Error('runtime returned no attach URL');
        return url;
      });
    },

    async portForward(ref): Promise<PortForwardHandler> {
      const podSandboxId = await sandboxOf(ref);
      return async (conn) => {
        // Each URL is good for one connection to the runtime's streaming server: one per forward.
        const { url } = await cri.runtime.portForward({ podSandboxId, port: [conn.port] });
        if (!url) throw new Error('runtime returned no port-forward URL');
        const { session: up } = await dialSpdy(url, ['portforward.k8s.io'], { signal: conn.signal });
        const onAbort = () => up.destroy();
        conn.signal.addEventListener('abort', onAbort, { once: true });
        try {
          const headers = { port: String(conn.port), requestid: '0' };
          const error = await up.openStream({ ...headers, streamtype: 'error' });
          error.end();
          const data = await up.openStream({ ...headers, streamtype: 'data' });
          const errorText = readText(error).then((text) => { if (text) conn.error(text); });
          conn.data.pipe(data);
          data.pipe(conn.data);
          await Promise.race([once(data, 'end').then(() => undefined, () => undefined), once(up, 'close').then(() => undefined)]);
          await errorText;
        } finally {
          conn.signal.removeEventListener('abort', onAbort);
          up.close();
        }
      };
    },

    async logs(ref, options: LogOptions): Promise<LogWriter> {
      const all = await containersOf(ref);
      const target = options.previous ? all[1] : all[0];
      if (!target?.id) {
        if (options.previous) throw new StreamingError(400, `previous terminated container "${ref.container}" in pod "${ref.pod}" not found`);
        throw new StreamingError(400, `container "${ref.container}" in pod "${ref.pod}" is waiting to start: ContainerCreating`);
      }
      const { status } = await cri.runtime.containerStatus({ containerId: target.id });
      const path = status?.logPath;
      if (!path) throw new StreamingError(400, `container "${ref.container}" in pod "${ref.pod}" is not available`);
      const id = target.id;
      const isRunning = async () => {
        const s = await cri.runtime.containerStatus({ containerId: id }).catch(() => undefined);
        return s?.status?.state === 'CONTAINER_RUNNING';
      };
      return (out: Writable, signal: AbortSignal) => writeContainerLog(path, options, out, { signal, isRunning });
    },
  };
}

/** Copies an upstream stream into a session sink without ending the sink; resolves at upstream EOF. */
function copyOut(from: SpdyStream | undefined, to: Writable | undefined): Promise<void> {
  if (!from) return Promise.resolve();
  return new Promise((resolve) => {
    from.on('error', () => resolve());
    from.once('end', () => resolve());
    from.once('close', () => resolve());
    if (to) from.pipe(to, { end: false }); else from.resume();
  });
}

function readText(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    stream.once('end', done);
    stream.once('close', done);
    stream.on('error', done);
  });
}

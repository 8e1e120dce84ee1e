/**
 * A typed, promise-based CRI v1 client over a unix socket (or any gRPC target).
 * Every call takes an AbortSignal and a deadline; failures are CriError with the gRPC code.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ImageCalls, RuntimeCalls } from './types.js';

export interface CallOptions {
  signal?: AbortSignal;
  /** Deadline for this call in milliseconds; defaults to the client's (2 minutes, none for PullImage). */
  timeoutMs?: number;
}

type Service<Calls extends { [K in keyof Calls]: [unknown, unknown] }> = {
  [K in keyof Calls & string as Uncapitalize<K>]: (req: Calls[K][0], opts?: CallOptions) => Promise<Calls[K][1]>;
};
export type RuntimeService = Service<RuntimeCalls>;
export type ImageService = Service<ImageCalls>;

export interface CriClient {
  readonly runtime: RuntimeService;
  readonly image: ImageService;
  /** Waits until the channel is connected (or the deadline passes). */
  waitForReady(timeoutMs: number): Promise<void>;
  close(): void;
}

export interface CriClientOptions {
  /** Default deadline of unary calls (ms). */
  timeoutMs?: number;
}

/** A failed CRI call: `code` is the gRPC status code (grpc.status.NOT_FOUND …). */
export class CriError extends Error {
  override readonly name = 'CriError';
  constructor(readonly method: string, readonly code: number, readonly details: string, options?: { cause?: unknown }) {
    super(`CRI ${method}: ${grpc.status[code] ?? code}: ${details}`, options);
  }
}

export function isCriNotFound(err: unknown): boolean {
  return err instanceof CriError && err.code === grpc.status.NOT_FOUND;
}

const protoPath = fileURLToPath(new URL('./api.proto', import.meta.url));

function loadPackage(): grpc.GrpcObject {
  const def = protoLoader.loadSync(protoPath, {
    keepCase: false, longs: Number, enums: String, bytes: Buffer, defaults: true, arrays: true, objects: false, oneofs: true,
  });
  return grpc.loadPackageDefinition(def);
}

/** `endpoint` is a socket path, `unix:///path`, or another gRPC target. */
export function criTarget(endpoint: string): string {
  if (endpoint.startsWith('unix:')) return endpoint;
  if (endpoint.startsWith('/')) return `unix://${endpoint}`;
  return endpoint;
}

const runtimeMethods: readonly (keyof RuntimeCalls)[] = [
  'Version', 'RunPodSandbox', 'StopPodSandbox', 'RemovePodSandbox', 'PodSandboxStatus', 'ListPodSandbox',
  'CreateContainer', 'StartContainer', 'StopContainer', 'RemoveContainer', 'ListContainers', 'ContainerStatus',
  'UpdateContainerResources', 'ReopenContainerLog', 'ExecSync', 'Exec', 'Attach', 'PortForward',
  'ContainerStats', 'ListContainerStats', 'PodSandboxStats', 'ListPodSandboxStats', 'UpdateRuntimeConfig', 'Status',
];
const imageMethods: readonly (keyof ImageCalls)[] = ['ListImages', 'ImageStatus', 'PullImage', 'RemoveImage', 'ImageFsInfo'];
/** Calls without a default deadline: they may legitimately take long. */
const unbounded = new Set<string>(['PullImage']);

type UnaryFn = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => grpc.ClientUnaryCall;

export function createCriClient(endpoint: string, options: CriClientOptions = {}): CriClient {
  const pkg = loadPackage() as unknown as { runtime: { v1: Record<string, grpc.ServiceClientConstructor> } };
  const target = criTarget(endpoint);
  const channelOptions: grpc.ChannelOptions = {
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.max_send_message_length': 16 * 1024 * 1024,
  };
  const runtimeClient = new pkg.runtime.v1.RuntimeService!(target, grpc.credentials.createInsecure(), channelOptions);
  // The image service shares the runtime client's channel.
  const imageClient = new pkg.runtime.v1.ImageService!(target, grpc.credentials.createInsecure(), {
    ...channelOptions, channelOverride: runtimeClient.getChannel(),
  } as grpc.ChannelOptions);
  const defaultTimeout = options.timeoutMs ?? 120_000;

  function bind<Calls extends { [K in keyof Calls]: [unknown, unknown] }>(client: grpc.Client, methods: readonly (keyof Calls & string)[]): Service<Calls> {
    const out: Record<string, (req: unknown, opts?: CallOptions) => Promise<unknown>> = {};
    for (const method of methods) {
      const fn = (client as unknown as Record<string, UnaryFn>)[method]!.bind(client);
      const name = method[0]!.toLowerCase() + method.slice(1);
      out[name] = (req, opts = {}) => new Promise((resolve, reject) => {
        const signal = opts.signal;
        if (signal?.aborted) return reject(signal.reason);
        const timeout = opts.timeoutMs ?? (unbounded.has(method) ? undefined : defaultTimeout);
        const callOpts: grpc.CallOptions = timeout === undefined ? {} : { deadline: new Date(Date.now() + timeout) };
        const onAbort = () => call.cancel();
        const call = fn(req ?? {}, new grpc.Metadata(), callOpts, (err, res) => {
          signal?.removeEventListener('abort', onAbort);
          if (!err) return resolve(res);
          if (signal?.aborted) return reject(signal.reason);
          reject(new CriError(method, err.code, err.details, { cause: err }));
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    return out as unknown as Service<Calls>;
  }

  return {
    runtime: bind<RuntimeCalls>(runtimeClient, runtimeMethods),
    image: bind<ImageCalls>(imageClient, imageMethods),
    waitForReady: (timeoutMs) => new Promise((resolve, reject) => {
      runtimeClient.waitForReady(new Date(Date.now() + timeoutMs), (err) => (err ? reject(err) : resolve()));
    }),
    close() { imageClient.close(); runtimeClient.close(); },
  };
}

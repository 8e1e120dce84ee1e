import protobuf from 'protobufjs';
import { badRequest, StatusError, unsupportedMediaType } from '../errors.js';
import { formatDuration, formatMicroTime, formatTime } from './go-json.js';
import { messageForKind } from './kinds.js';
import { loadProtobufSchema, type ProtobufSchema } from './schema.js';

/** Media type of Kubernetes protobuf bodies. */
export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

/** The four bytes that open every Kubernetes protobuf body: "k8s\0". */
export const protobufMagic: Readonly<Uint8Array> = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** The runtime.Unknown envelope around a protobuf-encoded object. */
export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

/** Decodes a Kubernetes protobuf request body into the object's JSON form (what kubectl would send as JSON). */
export interface ProtobufDecoder {
  decode(body: Uint8Array): Record<string, unknown>;
  /** Converts one bare message (no magic, no envelope) of the named type to its JSON form. */
  decodeMessage(message: string, raw: Uint8Array): Record<string, unknown>;
}

type JsonValue = unknown;
type Convert = (value: unknown) => JsonValue;

interface FieldPlan {
  readonly name: string;
  readonly json: string;
  readonly repeated: boolean;
  readonly map: boolean;
  readonly inline: boolean;
  readonly omitempty: boolean;
  readonly convert: Convert;
}

const unknownMessage = 'k8s.io.apimachinery.pkg.runtime.Unknown';

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function toBigInt(v: unknown): bigint {
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string') return BigInt(v);
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const { low, high, unsigned } = v as { low: number; high: number; unsigned?: boolean };
    const bits = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
    return unsigned ? bits : BigInt.asIntN(64, bits);
  }
  return 0n;
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(toBigInt(v));
}

function toBase64(v: unknown): string {
  const bytes = v instanceof Uint8Array ? v : new Uint8Array(0);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function isZero(v: JsonValue): boolean {
  return v === '' || v === 0 || v === false;
}

function parseJsonBytes(bytes: Uint8Array, what: string): JsonValue {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new StatusError(badRequest(`${what} is not valid JSON: ${(cause as Error).message}`).status, { cause });
  }
}

function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && protobufMagic.every((b, i) => bytes[i] === b);
}

/** Builds a decoder over a parsed schema; per-message conversion plans are built on first use. */
export function createProtobufDecoder(schema: ProtobufSchema = loadProtobufSchema()): ProtobufDecoder {
  const plans = new Map<string, readonly FieldPlan[]>();
  const envelopeType = schema.type(unknownMessage);

  function scalar(type: string): Convert {
    switch (type) {
      case 'bytes': return toBase64;
      case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': return toNumber;
      default: return (v) => v;
    }
  }

  function messageConverter(type: protobuf.Type): Convert {
    switch (type.fullName.slice(1)) {
      case 'k8s.io.apimachinery.pkg.apis.meta.v1.Time':
        return (m) => (has(m as object, 'seconds') ? formatTime(toBigInt((m as { seconds: unknown }).seconds)) : null);
      case 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime':
        return (m) => {
          const t = m as { seconds?: unknown; nanos?: number };
          if (!has(t, 'seconds') && !has(t, 'nanos')) return null;
          return formatMicroTime(toBigInt(t.seconds ?? 0), t.nanos ?? 0);
        };
      case 'k8s.io.apimachinery.pkg.apis.meta.v1.Duration':
        return (m) => formatDuration(toBigInt((m as { duration?: unknown }).duration ?? 0));
      case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
        return (m) => (m as { string?: string }).string ?? '0';
      case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString':
        return (m) => {
          const v = m as { type?: unknown; intVal?: number; strVal?: string };
          return toNumber(v.type ?? 0) === 1 ? (v.strVal ?? '') : (v.intVal ?? 0);
        };
      case 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1':
        return (m) => {
          const raw = (m as { Raw?: Uint8Array }).Raw;
          return raw && raw.length ? parseJsonBytes(raw, 'fieldsV1') : null;
        };
      case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
        return (m) => {
          const raw = (m as { raw?: Uint8Array }).raw;
          if (!raw || raw.length === 0) return null;
          return hasMagic(raw) ? decode(raw) : parseJsonBytes(raw, 'an embedded object (RawExtension)');
        };
      default:
        if (type.options?.['(k8ts.list_wrapper)']) {
          const items = type.fields['items'];
          const each = items?.resolvedType instanceof protobuf.Type ? messageConverter(items.resolvedType) : scalar(items?.type ?? 'string');
          return (m) => ((m as { items?: unknown[] }).items ?? []).map(each);
        }
        return (m) => convertMessage(type, m as protobuf.Message);
    }
  }

  function planFor(type: protobuf.Type): readonly FieldPlan[] {
    const name = type.fullName;
    let plan = plans.get(name);
    if (plan) return plan;
    plan = type.fieldsArray.map((f): FieldPlan => {
      const resolved = f.resolvedType;
      const convert = resolved instanceof protobuf.Type ? messageConverter(resolved) : scalar(f.type);
      const options = f.options ?? {};
      return {
        name: f.name,
        json: typeof options['(k8ts.json)'] === 'string' ? options['(k8ts.json)'] as string : f.name,
        repeated: f.repeated,
        map: f.map,
        inline: options['(k8ts.inline)'] === true,
        omitempty: options['(k8ts.omitempty)'] === true,
        convert,
      };
    });
    plans.set(name, plan);
    return plan;
  }

  function convertMessage(type: protobuf.Type, message: protobuf.Message): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const values = message as unknown as Record<string, unknown>;
    for (const f of planFor(type)) {
      if (!has(values, f.name)) continue;
      const value = values[f.name];
      if (f.map) {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length) out[f.json] = Object.fromEntries(entries.map(([k, v]) => [k, f.convert(v)]));
      } else if (f.repeated) {
        const items = value as unknown[];
        if (items.length) out[f.json] = items.map(f.convert);
      } else {
        const converted = f.convert(value);
        if (f.inline) {
          if (converted && typeof converted === 'object') Object.assign(out, converted);
        } else if (!(f.omitempty && isZero(converted))) {
          out[f.json] = converted;
        }
      }
    }
    return out;
  }

  function envelope(body: Uint8Array): ProtobufEnvelope {
    if (body.length === 0) throw badRequest('empty body');
    if (!hasMagic(body)) {
      throw badRequest('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
    }
    let unknown: Record<string, unknown>;
    try {
      unknown = envelopeType.decode(body.subarray(4)) as unknown as Record<string, unknown>;
    } catch (cause) {
      throw new StatusError(badRequest(`unable to decode the protobuf envelope: ${(cause as Error).message}`).status, { cause });
    }
    const typeMeta = (unknown['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
    return {
      apiVersion: typeMeta.apiVersion ?? '',
      kind: typeMeta.kind ?? '',
      raw: (unknown['raw'] as Uint8Array | undefined) ?? new Uint8Array(0),
      contentEncoding: (unknown['contentEncoding'] as string | undefined) ?? '',
      contentType: (unknown['contentType'] as string | undefined) ?? '',
    };
  }

  function decode(body: Uint8Array): Record<string, unknown> {
    const env = envelope(body);
    if (!env.kind) throw badRequest('Object \'Kind\' is missing in the protobuf body');
    if (env.contentEncoding) {
      throw unsupportedMediaType(`unsupported protobuf contentEncoding "${env.contentEncoding}" for ${env.apiVersion}/${env.kind}`);
    }
    if (env.contentType && env.contentType !== protobufMediaType) {
      throw unsupportedMediaType(`unsupported contentType "${env.contentType}" inside the protobuf envelope for ${env.apiVersion}/${env.kind}`);
    }
    const messageName = messageForKind(env.apiVersion, env.kind);
    if (!messageName) {
      throw unsupportedMediaType(
        `the server cannot decode ${env.kind} (${env.apiVersion || 'no apiVersion'}) from ${protobufMediaType}; send it as application/json`);
    }
    return { apiVersion: env.apiVersion, kind: env.kind, ...decodeMessage(messageName, env.raw, `${env.apiVersion}/${env.kind}`) };
  }

  function decodeMessage(messageName: string, raw: Uint8Array, what = messageName): Record<string, unknown> {
    const type = schema.type(messageName);
    let message: protobuf.Message;
    try {
      message = type.decode(raw);
    } catch (cause) {
      throw new StatusError(badRequest(`unable to decode ${what} from protobuf: ${(cause as Error).message}`).status, { cause });
    }
    return convertMessage(type, message);
  }

  return { decode, decodeMessage: (message, raw) => decodeMessage(message, raw) };
}

/**
 * The process-wide decoder behind `decodeKubernetesProtobuf`: the schema is parsed on first use and never
 * changes afterwards (a memoised constant, not state). Callers that want control use createProtobufDecoder.
 */
const sharedDecoder: () => ProtobufDecoder = (() => {
  let decoder: ProtobufDecoder | undefined;
  return () => (decoder ??= createProtobufDecoder());
})();

/**
 * Decodes a `application/vnd.kubernetes.protobuf` request body into the object's JSON form: apiVersion and
 * kind from the envelope, then every field spelled as the JSON API spells it.
 * Throws StatusError 400 BadRequest for malformed bytes and 415 UnsupportedMediaType for kinds k8ts
 * cannot decode.
 */
export function decodeKubernetesProtobuf(body: Uint8Array, decoder: ProtobufDecoder = sharedDecoder()): Record<string, unknown> {
  return decoder.decode(body);
}

import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, tooLarge, unsupportedMediaType } from '../../api/errors.js';

/** Kubernetes' limit on request bodies. */
export const maxBodyBytes = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The media type of a request body, without parameters. */
export function contentTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export type ProtobufDecoder = (body: Uint8Array) => Record<string, unknown>;

/**
 * A create/update body as a JSON object: JSON, YAML, or Kubernetes protobuf (kubectl 1.32+
 * typed clients). Returns the raw text too, for duplicate-field checks.
 */
export function decodeObjectBody(body: Buffer, contentType: string, protobuf?: ProtobufDecoder): { object: unknown; text?: string } {
  if (body.length === 0) throw badRequest('Object \'Kind\' is missing in \'\'');
  switch (contentType) {
    case '':
    case 'application/json':
    case '*/*': {
      const text = body.toString('utf8');
      return { object: parseJson(text), text };
    }
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return { object: parseYamlDoc(body.toString('utf8')) };
    case 'application/vnd.kubernetes.protobuf':
      if (!protobuf) throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
      return { object: protobuf(body) };
    default:
      throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

export function parseYamlDoc(text: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
  }
}

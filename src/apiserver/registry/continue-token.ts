import { badRequest } from '../../api/errors.js';

/** The opaque `metadata.continue` of a chunked list: the list's revision and the last key sent. */
export interface ContinueToken { rv: number; start: string }

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'k8ts.continue/v1', rv: t.rv, start: t.start })).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: unknown; start?: unknown };
    if (t.v === 'k8ts.continue/v1' && typeof t.rv === 'number' && typeof t.start === 'string') return { rv: t.rv, start: t.start };
  } catch {
    // fall through to the one error below: any undecodable token is equally invalid
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

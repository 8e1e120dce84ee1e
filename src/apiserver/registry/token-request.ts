import type { Pod, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { badRequest, conflict, fieldErr, invalid, notFound } from '../../api/errors.js';
import type { Clock } from '../../base/clock.js';
import { rfc3339 } from '../../base/clock.js';
import { type BoundObject, issueServiceAccountToken } from '../authn/service-account-token.js';
import type { RequestContext } from '../context.js';
import type { RestStorage } from './rest-storage.js';

export interface TokenSigner {
  privateKeyPem: string;
  /** `iss`; also the default audience, as kube-apiserver's --api-audiences default. */
  issuer: string;
}

/** Upstream refuses shorter tokens. */
const minExpirationSeconds = 600;

/**
 * POST serviceaccounts/<name>/token (TokenRequest): a signed JWT for the ServiceAccount,
 * optionally bound to a Pod or Secret that must exist with the given uid; what kubelets mount
 * as the projected service-account token and `kubectl create token` prints.
 */
export async function requestToken(rest: RestStorage, defs: { serviceAccounts: ResourceDefinition; pods: ResourceDefinition; secrets: ResourceDefinition },
  signer: TokenSigner, clock: Clock, namespace: string, name: string, body: unknown, ctx: RequestContext): Promise<KubeObject> {
  const req = (body ?? {}) as TokenRequest;
  if (req.metadata?.name && req.metadata.name !== name) throw badRequest('name in URL does not match name in TokenRequest object');
  const spec = req.spec ?? { audiences: [] };
  const expirationSeconds = spec.expirationSeconds ?? 3600;
  if (expirationSeconds < minExpirationSeconds) {
    throw invalid('TokenRequest', 'authentication.k8s.io', name, [fieldErr.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes')]);
  }
  if (expirationSeconds > 2 ** 32) {
    throw invalid('TokenRequest', 'authentication.k8s.io', name, [fieldErr.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds')]);
  }
  const sa = (await rest.get(defs.serviceAccounts, namespace, name)) as unknown as ServiceAccount & KubeObject;
  let boundObject: BoundObject | undefined;
  let node: { name: string; uid: string } | undefined;
  const ref = spec.boundObjectRef;
  if (ref) {
    if (ref.kind !== 'Pod' && ref.kind !== 'Secret') {
      throw invalid('TokenRequest', 'authentication.k8s.io', name, [fieldErr.notSupported('spec.boundObjectRef.kind', ref.kind, ['Pod', 'Secret'])]);
    }
    const def = ref.kind === 'Pod' ? defs.pods : defs.secrets;
    let target: KubeObject;
    try {
      target = await rest.get(def, namespace, ref.name ?? '');
    } catch {
      throw notFound({ resource: def.plural, name: ref.name });
    }
    if (ref.uid && ref.uid !== target.metadata.uid) {
      throw conflict({ resource: def.plural, name: ref.name }, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    if (ref.kind === 'Pod') {
      const pod = target as unknown as Pod & KubeObject;
      if (pod.spec?.serviceAccountName && pod.spec.serviceAccountName !== name) {
        throw badRequest(`cannot bind token to a pod that runs as a different service account (${pod.spec.serviceAccountName})`);
      }
      if (pod.spec?.nodeName) node = { name: pod.spec.nodeName, uid: '' };
    }
    boundObject = { kind: ref.kind, name: ref.name ?? '', uid: target.metadata.uid ?? '' };
  }
  const audiences = spec.audiences?.length ? spec.audiences : [signer.issuer];
  const issued = issueServiceAccountToken({
    privateKeyPem: signer.privateKeyPem, issuer: signer.issuer, namespace, name, uid: sa.metadata.uid ?? '',
    audiences, expirationSeconds, now: clock.now(), boundObject, node,
  });
  void ctx;
  return {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null as unknown as string },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
    status: { token: issued.token, expirationTimestamp: rfc3339(issued.expirationTimestamp) },
  } as unknown as KubeObject;
}

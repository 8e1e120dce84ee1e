import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../base/index.js';
import {
  adminIdentity, createClusterCa, isCertificateCurrent, issueClientCertificate, issueServingCertificate,
  servingSubjectAltNames, subjectAltNamesOf, type CertKeyPair, type ServingIdentity,
} from './certificates.js';
import { caCertHash, parseJoinToken } from './join-token.js';
import { exportKeyPairPem, generateKeyPair, publicKeyPemOf, type PemKeyPair } from './keys.js';
import { openWithToken, sealWithToken } from './token-seal.js';

/**
 * Where servers sharing a datastore keep the bootstrap secrets (the lead adapts the real Store to it).
 * `create` stores only if the key is absent and says whether it did.
 */
export interface PkiStore {
  get(key: string): Promise<Uint8Array | undefined>;
  create(key: string, value: Uint8Array): Promise<boolean>;
}

export interface PkiOptions {
  /** The cluster token (bare secret or K10…::user:secret); it encrypts the shared secrets. */
  token: string;
  /** The shared datastore; without it the PKI lives only in the data dir. */
  sharedStore?: PkiStore;
  /** SANs for this server's serving certificate. */
  serving?: ServingIdentity;
  clock?: Clock;
}

export interface PkiPaths {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

export interface ClusterPki {
  /** Shared by every server of the cluster. */
  ca: CertKeyPair;
  /** Signs and verifies service-account JWTs; shared by every server of the cluster. */
  serviceAccount: PemKeyPair;
  /** This server's TLS certificate. */
  serving: CertKeyPair;
  /** `system:admin` in `system:masters`, for the admin kubeconfig. */
  admin: CertKeyPair;
  paths: PkiPaths;
}

/** The datastore key of the sealed bootstrap record. */
export const bootstrapKey = '/k8ts/bootstrap/pki';

/** Leaf certificates are renewed when they would expire within this window (as k3s does: 90 days). */
const renewWithinMs = 90 * 24 * 3600 * 1000;

interface Bootstrap {
  caCert: string;
  caKey: string;
  serviceAccountKey: string;
}

export function pkiPaths(dataDir: string): PkiPaths {
  const dir = join(dataDir, 'tls');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'serving-kube-apiserver.crt'),
    servingKey: join(dir, 'serving-kube-apiserver.key'),
    adminCert: join(dir, 'client-admin.crt'),
    adminKey: join(dir, 'client-admin.key'),
    serviceAccountKey: join(dir, 'service-account.key'),
    serviceAccountPublicKey: join(dir, 'service-account.pub'),
  };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`reading ${path}`, { cause: e });
  }
}

/** Writes a file atomically (temp file + rename), creating it with the given mode. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data, { mode, flush: true });
  await rename(tmp, path);
}

async function writeIfChanged(path: string, data: string, mode: number): Promise<void> {
  if ((await readIfExists(path)) === data) return;
  await writeFileAtomic(path, data, mode);
}

async function generateBootstrap(clock: Clock): Promise<Bootstrap> {
  const ca = await createClusterCa({ now: clock.now() });
  const sa = await exportKeyPairPem(await generateKeyPair());
  return { caCert: ca.certPem, caKey: ca.keyPem, serviceAccountKey: sa.privateKeyPem };
}

function parseBootstrap(bytes: Uint8Array): Bootstrap {
  const b = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<Bootstrap>;
  if (!b.caCert || !b.caKey || !b.serviceAccountKey) throw new Error(`${bootstrapKey} in the datastore is incomplete`);
  return { caCert: b.caCert, caKey: b.caKey, serviceAccountKey: b.serviceAccountKey };
}

async function sharedBootstrap(store: PkiStore, secret: string, local: Bootstrap | undefined, clock: Clock): Promise<Bootstrap> {
  const existing = await store.get(bootstrapKey);
  if (existing) return parseBootstrap(await openWithToken(existing, secret, bootstrapKey));
  const mine = local ?? await generateBootstrap(clock);
  const sealed = await sealWithToken(Buffer.from(JSON.stringify(mine)), secret, bootstrapKey);
  if (await store.create(bootstrapKey, sealed)) return mine;
  // Another server won the race: use what it stored.
  const winner = await store.get(bootstrapKey);
  if (!winner) throw new Error(`${bootstrapKey} vanished from the datastore while bootstrapping`);
  return parseBootstrap(await openWithToken(winner, secret, bootstrapKey));
}

function hasAllSans(certPem: string, id: ServingIdentity): boolean {
  const want = servingSubjectAltNames(id);
  const have = subjectAltNamesOf(certPem);
  return want.ips.every((ip) => have.ips.includes(ip)) && want.dnsNames.every((d) => have.dnsNames.includes(d));
}

async function ensureLeaf(
  certPath: string, keyPath: string, caCertPem: string, now: number,
  isWanted: (certPem: string) => boolean, issue: () => Promise<CertKeyPair>,
): Promise<CertKeyPair> {
  const certPem = await readIfExists(certPath);
  const keyPem = await readIfExists(keyPath);
  if (certPem && keyPem && isCertificateCurrent(certPem, caCertPem, now, renewWithinMs) && isWanted(certPem)) {
    return { certPem, keyPem };
  }
  const fresh = await issue();
  await writeFileAtomic(keyPath, fresh.keyPem, 0o600);
  await writeFileAtomic(certPath, fresh.certPem, 0o644);
  return fresh;
}

/**
 * Loads this server's PKI from `<dataDir>/tls/`, creating what is missing. With a shared store the CA and
 * service-account key come from the datastore (sealed with the token), so every server started with the
 * same datastore and token shares them; the first server stores its own. A wrong token fails with
 * WrongTokenError. The serving certificate is reissued when its SANs, CA or remaining validity no longer fit.
 */
export async function loadOrCreatePki(dataDir: string, opts: PkiOptions): Promise<ClusterPki> {
  const clock = opts.clock ?? systemClock;
  const paths = pkiPaths(dataDir);
  const token = parseJoinToken(opts.token);
  if (!token.secret) throw new Error('the cluster token is empty');
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });

  const [caCert, caKey, saKey] = await Promise.all([readIfExists(paths.caCert), readIfExists(paths.caKey), readIfExists(paths.serviceAccountKey)]);
  const local: Bootstrap | undefined = caCert && caKey && saKey ? { caCert, caKey, serviceAccountKey: saKey } : undefined;
  const boot = opts.sharedStore
    ? await sharedBootstrap(opts.sharedStore, token.secret, local, clock)
    : local ?? await generateBootstrap(clock);
  if (token.caHash && token.caHash !== caCertHash(boot.caCert)) {
    throw new Error('the token\'s CA hash does not match the cluster CA: the token belongs to a different cluster');
  }

  const serviceAccount: PemKeyPair = { privateKeyPem: boot.serviceAccountKey, publicKeyPem: publicKeyPemOf(boot.serviceAccountKey) };
  await writeIfChanged(paths.caKey, boot.caKey, 0o600);
  await writeIfChanged(paths.caCert, boot.caCert, 0o644);
  await writeIfChanged(paths.serviceAccountKey, serviceAccount.privateKeyPem, 0o600);
  await writeIfChanged(paths.serviceAccountPublicKey, serviceAccount.publicKeyPem, 0o644);

  const ca: CertKeyPair = { certPem: boot.caCert, keyPem: boot.caKey };
  const now = clock.now();
  const servingId = opts.serving ?? {};
  const serving = await ensureLeaf(paths.servingCert, paths.servingKey, ca.certPem, now,
    (pem) => hasAllSans(pem, servingId), () => issueServingCertificate(ca, servingId, { now }));
  const admin = await ensureLeaf(paths.adminCert, paths.adminKey, ca.certPem, now,
    () => true, () => issueClientCertificate(ca, adminIdentity, { now }));
  return { ca, serviceAccount, serving, admin, paths };
}

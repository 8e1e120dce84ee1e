// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { crypto, ecdsaP256, exportKeyPairPem, generateKeyPair, importKeyPairPem, type CryptoKeyPair } from './keys.js';

/** A certificate and its private key, both PEM. */
export interface CertKeyPair {
  certPem: string;
  keyPem: string;
}

export interface IssueOptions {
  /** Milliseconds since the epoch (from the Clock). */
  now: number;
}

const year = 365 * 24 * 3600 * 1000;
/** Backdating notBefore keeps slightly skewed peers from rejecting a fresh certificate. */
const clockSkew = 5 * 60 * 1000;

export const caValidityMs = 10 * year;
export const leafValidityMs = year;

/** Escapes a value for an X.500 distinguished name string (RFC 4514). */
function dnValue(v: string): string {
  return v.replace(/([,+"\\<>;=#])/g, '\\$1').replace(/^ | $/g, '\\ ');
}

function subjectName(commonName: string, organizations: readonly string[] = []): string {
  return [...organizations.map((o) => `O=${dnValue(o)}`), `CN=${dnValue(commonName)}`].join(', ');
}

async function signingKeys(ca: CertKeyPair): Promise<{ cert: x509.X509Certificate; keys: CryptoKeyPair }> {
  return { cert: new x509.X509Certificate(ca.certPem), keys: await importKeyPairPem(ca.keyPem) };
}

/** The cluster CA: self-signed, ECDSA P-256, valid ten years. */
export async function createClusterCa(opts: IssueOptions & { commonName?: string }): Promise<CertKeyPair> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: subjectName(opts.commonName ?? `k8ts-ca@${Math.floor(opts.now / 1000)}`),
    notBefore: new Date(opts.now - clockSkew),
    notAfter: new Date(opts.now + caValidityMs),
    keys,
    signingAlgorithm: ecdsaP256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
    ],
  }, crypto);
  return { certPem: cert.toString('pem'), keyPem: (await exportKeyPairPem(keys)).privateKeyPem };
}

interface LeafParams extends IssueOptions {
  commonName: string;
  organizations?: readonly string[];
  usage: 'server' | 'client' | 'both';
  ips?: readonly string[];
  dnsNames?: readonly string[];
  validityMs?: number;
}

async function issueLeaf(ca: CertKeyPair, p: LeafParams): Promise<CertKeyPair> {
  const issuer = await signingKeys(ca);
  const keys = await generateKeyPair();
  const usages = p.usage === 'server' ? [x509.ExtendedKeyUsage.serverAuth]
    : p.usage === 'client' ? [x509.ExtendedKeyUsage.clientAuth]
      : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.cert, false, crypto),
  ];
  const names: x509.JsonGeneralName[] = [
    ...(p.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(p.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create({
    subject: subjectName(p.commonName, p.organizations),
    issuer: issuer.cert.subject,
    notBefore: new Date(p.now - clockSkew),
    notAfter: new Date(Math.min(p.now + (p.validityMs ?? leafValidityMs), issuer.cert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ecdsaP256,
    extensions,
  }, crypto);
  return { certPem: cert.toString('pem'), keyPem: (await exportKeyPairPem(keys)).privateKeyPem };
}

/** Who the API server is, for its serving certificate's subject alternative names. */
export interface ServingIdentity {
  /** The node's own addresses (IPs), beyond loopback. */
  nodeAddresses?: readonly string[];
  hostname?: string;
  /** The first address of the service CIDR, e.g. 10.43.0.1 (the `kubernetes` Service's ClusterIP). */
  serviceIp?: string;
  /** Default cluster.local. */
  clusterDomain?: string;
  /** More DNS names or IPs (k3s --tls-san). */
  extraSans?: readonly string[];
}

/** The SANs of the API server's serving certificate: loopback, node addresses, `kubernetes.default…`, the service IP. */
export function servingSubjectAltNames(id: ServingIdentity): { ips: string[]; dnsNames: string[] } {
  const domain = id.clusterDomain ?? 'cluster.local';
  const ips = new Set<string>(['127.0.0.1', '::1']);
  const dnsNames = new Set<string>(['localhost']);
  if (id.hostname) dnsNames.add(id.hostname);
  for (const n of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${domain}`]) dnsNames.add(n);
  for (const a of [...(id.nodeAddresses ?? []), ...(id.serviceIp ? [id.serviceIp] : []), ...(id.extraSans ?? [])]) {
    if (isIP(a)) ips.add(a);
    else if (a) dnsNames.add(a);
  }
  return { ips: [...ips], dnsNames: [...dnsNames] };
}

/** The API server's serving certificate (CN kube-apiserver), signed by the cluster CA, valid one year. */
export async function issueServingCertificate(ca: CertKeyPair, id: ServingIdentity, opts: IssueOptions): Promise<CertKeyPair> {
  const { ips, dnsNames } = servingSubjectAltNames(id);
  return await issueLeaf(ca, { ...opts, commonName: 'kube-apiserver', usage: 'server', ips, dnsNames });
}

/**
 * A client certificate: CN is the user name, O the groups (admin: `system:admin` / `system:masters`;
 * a node: `system:node:<name>` / `system:nodes`). Valid one year.
 */
export async function issueClientCertificate(ca: CertKeyPair, who: { commonName: string; organizations?: readonly string[] }, opts: IssueOptions): Promise<CertKeyPair> {
  return await issueLeaf(ca, { ...opts, commonName: who.commonName, organizations: who.organizations ?? [], usage: 'client' });
}

export const adminIdentity = { commonName: 'system:admin', organizations: ['system:masters'] } as const;

export function nodeIdentity(nodeName: string): { commonName: string; organizations: string[] } {
  return { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'] };
}

/** True when `certPem` was signed by `ca` and is valid from `now` until at least `now + marginMs`. */
export function isCertificateCurrent(certPem: string, caCertPem: string, now: number, marginMs = 0): boolean {
  const cert = new NodeX509Certificate(certPem);
  const ca = new NodeX509Certificate(caCertPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
  return Date.parse(cert.validFrom) <= now && Date.parse(cert.validTo) > now + marginMs;
}

/** The DNS names and IPs in a certificate's subjectAltName. */
export function subjectAltNamesOf(certPem: string): { ips: string[]; dnsNames: string[] } {
  const text = new NodeX509Certificate(certPem).subjectAltName ?? '';
  const ips: string[] = [];
  const dnsNames: string[] = [];
  for (const part of text.split(', ')) {
    if (part.startsWith('DNS:')) dnsNames.push(part.slice(4));
    else if (part.startsWith('IP Address:')) ips.push(canonicalIp(part.slice(11)));
  }
  return { ips, dnsNames };
}

/** Node prints IPv6 SANs uncompressed (0:0:0:0:0:0:0:1); compress them so sets compare. */
function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

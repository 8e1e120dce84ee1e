export {
  adminIdentity, caValidityMs, createClusterCa, isCertificateCurrent, issueClientCertificate, issueServingCertificate,
  leafValidityMs, nodeIdentity, servingSubjectAltNames, subjectAltNamesOf,
} from './certificates.js';
export type { CertKeyPair, IssueOptions, ServingIdentity } from './certificates.js';
export { bootstrapKey, loadOrCreatePki, pkiPaths, writeFileAtomic } from './cluster-pki.js';
export type { ClusterPki, PkiOptions, PkiPaths, PkiStore } from './cluster-pki.js';
export { caCertHash, formatJoinToken, parseJoinToken } from './join-token.js';
export type { JoinToken } from './join-token.js';
export { exportKeyPairPem, generateKeyPair, importKeyPairPem, publicKeyPemOf } from './keys.js';
export type { PemKeyPair } from './keys.js';
export { renderKubeconfig, writeAdminKubeconfig } from './kubeconfig.js';
export type { KubeconfigParams } from './kubeconfig.js';
export { openWithToken, sealWithToken, WrongTokenError } from './token-seal.js';

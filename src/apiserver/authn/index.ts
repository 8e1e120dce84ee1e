export { authenticatedGroup, bearerToken, createAuthenticator, subjectAttributes } from './authenticator.js';
export type { Authenticator, AuthenticatorConfig, AuthnRequest, StaticToken, TlsPeer } from './authenticator.js';
export {
  issueServiceAccountToken, keyIdOf, serviceAccountUser, serviceAccountUsername, verifyServiceAccountToken,
} from './service-account-token.js';
export type {
  BoundObject, IssuedToken, IssueServiceAccountTokenParams, ServiceAccountClaims, ServiceAccountTokenVerifier,
} from './service-account-token.js';
export type { UserInfo } from '../context.js';

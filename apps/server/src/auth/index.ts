export { createTokenVerifier, MAX_TOKEN_LENGTH } from './token-verifier';
export type { AccessClaims, TokenVerifier, TokenVerifierOptions, VerifyResult } from './token-verifier';
export { authenticateRequest, bearerToken } from './request-auth';
export type { RequestAuthResult } from './request-auth';
export { registerEmbeddedAuth, PASSWORD_MIN_LENGTH } from './embedded-auth-routes';
export type { EmbeddedAuthDeps } from './embedded-auth-routes';
export { displayNameOf, MAX_DISPLAY_NAME_LENGTH } from './display-name';

import type { ServerConfig } from '../config';
import type { EmbeddedAuthDeps } from './embedded-auth-routes';
import { createSmtpMailer } from './mailer';
import { createPasswordPolicy } from './password-policy';

/** The embedded auth's part of the configuration, as registerEmbeddedAuth takes it. */
export function embeddedAuthSettings(
  config: ServerConfig,
): Pick<EmbeddedAuthDeps, 'passwordPolicy' | 'mailer' | 'guessing' | 'oneTimeTokenTtlSec'> {
  return {
    passwordPolicy: createPasswordPolicy({
      minLength: config.passwordMinLength,
      blocklistFile: config.passwordBlocklistFile,
    }),
    mailer: config.smtpUrl ? createSmtpMailer(config.smtpUrl, config.smtpFrom) : null,
    guessing: {
      accountFreeFailures: config.authAccountAttempts,
      addressFreeFailures: config.authRateLimit,
      maxDelayMs: config.authMaxDelaySec * 1000,
    },
    oneTimeTokenTtlSec: config.recoveryTtlSec,
  };
}

import { Webhook } from 'standardwebhooks';

/**
 * The Standard Webhooks headers of one delivery attempt: `webhook-signature`
 * is `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` keyed with the decoded
 * secret after `whsec_` (the `standardwebhooks` library computes it, so a
 * receiver using any Standard Webhooks verifier agrees with us).
 */
export function webhookHeaders(input: {
  secret: string;
  id: string;
  timestamp: Date;
  body: string;
}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': input.id,
    'webhook-timestamp': String(Math.floor(input.timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(input.secret).sign(input.id, input.timestamp, input.body),
  };
}

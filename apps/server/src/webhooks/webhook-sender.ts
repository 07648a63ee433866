import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { checkWebhookAddress, type AddressGuardOptions } from './address-guard';

/** What became of one attempt. */
export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  /** 410: the receiver wants no more. */
  | { kind: 'gone' }
  | { kind: 'failed'; reason: string }
  /** The server is closing: the attempt was cut off, not answered. */
  | { kind: 'aborted' };

export interface WebhookSenderOptions extends AddressGuardOptions {
  /** The whole attempt, redirects included. */
  timeoutMs: number;
  /** Redirects followed, each hop checked by the address guard. */
  maxRedirects: number;
}

export const DEFAULT_SEND_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REDIRECTS = 3;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * POSTs a signed delivery. Every hop (the URL and each redirect) goes through
 * the address guard, and the connection goes to the very address the guard
 * checked: a `lookup` that answers with it instead of asking DNS again, so a
 * name that resolves to a public address for the check and a private one for
 * the connect (DNS rebinding) cannot lead inside. TLS still checks the
 * certificate against the host name. A redirect is followed by POSTing the
 * same body and headers again (the signature covers the body, not the URL).
 */
export async function sendWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: WebhookSenderOptions,
  signal: AbortSignal,
): Promise<AttemptOutcome> {
  const attempt = AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]);
  let target = url;
  for (let hop = 0; hop <= options.maxRedirects; hop += 1) {
    const checked = await checkWebhookAddress(target, options);
    if ('problem' in checked) {
      return { kind: 'failed', reason: hop === 0 ? checked.problem : `redirect: ${checked.problem}` };
    }
    let response: IncomingMessage;
    try {
      response = await post(checked.url, checked.address, headers, body, attempt);
    } catch (error) {
      if (signal.aborted) return { kind: 'aborted' };
      return { kind: 'failed', reason: attempt.aborted ? 'timed out' : (error as Error).message };
    }
    const status = response.statusCode ?? 0;
    // Only the status matters: the connection is ours alone, so it is closed
    // at once rather than kept reading a body a receiver might never end.
    response.destroy();
    if (status >= 200 && status < 300) return { kind: 'delivered', status };
    if (status === 410) return { kind: 'gone' };
    const location = response.headers.location;
    if (!REDIRECTS.has(status) || location === undefined) return { kind: 'failed', reason: `HTTP ${status}` };
    target = new URL(location, checked.url).toString();
  }
  return { kind: 'failed', reason: `more than ${options.maxRedirects} redirects` };
}

/** One POST whose connection goes to `address`, whatever DNS says of the host now. */
function post(
  url: URL,
  address: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const family = isIP(address);
  const pinned: LookupFunction = (_host, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: pinned,
      // A connection of its own: a pooled one could have been opened to another address.
      agent: false,
      signal,
    });
    outgoing.once('response', resolve);
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

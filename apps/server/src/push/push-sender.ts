import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import webpush from 'web-push';
import type { VapidKeys } from './vapid-keys';
import { isPrivateAddress, pushEndpointProblem } from './endpoint';

/** A stored subscription, as the sender needs it. */
export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * `sent`: the push service took it; `gone`: it answered 404 or 410, the
 * subscription is dead; `failed`: anything else (logged by the caller).
 */
export type PushResult = { status: 'sent' } | { status: 'gone' } | { status: 'failed'; reason: string };

export interface PushSenderOptions {
  vapid: VapidKeys;
  subject: string;
  /** http:// and private addresses allowed (development, tests). */
  allowPrivate: boolean;
  /** How long one push request may take. */
  timeoutMs?: number;
  /** How long the push service keeps an undelivered push. */
  ttlSec?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_TTL_SEC = 24 * 3600;

/**
 * Sends one Web Push (RFC 8030) to one subscription: web-push encrypts the
 * payload (RFC 8291, aes128gcm) and signs the VAPID JWT (RFC 8292); the request
 * itself goes out here, over https (or http when private endpoints are
 * allowed), with every resolved address checked against the private ranges.
 */
export class PushSender {
  readonly publicKey: string;
  private readonly timeoutMs: number;
  private readonly ttlSec: number;

  constructor(private readonly options: PushSenderOptions) {
    this.publicKey = options.vapid.publicKey;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.ttlSec = options.ttlSec ?? DEFAULT_TTL_SEC;
  }

  async send(target: PushTarget, payload: string): Promise<PushResult> {
    const problem = pushEndpointProblem(target.endpoint, this.options.allowPrivate);
    if (problem) return { status: 'failed', reason: problem };
    let details: webpush.RequestDetails;
    try {
      details = webpush.generateRequestDetails(
        { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
        payload,
        {
          vapidDetails: {
            subject: this.options.subject,
            publicKey: this.options.vapid.publicKey,
            privateKey: this.options.vapid.privateKey,
          },
          TTL: this.ttlSec,
          contentEncoding: 'aes128gcm',
          urgency: 'high',
        },
      );
    } catch (error) {
      return { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
    }
    return this.post(details);
  }

  private post(details: webpush.RequestDetails): Promise<PushResult> {
    const url = new URL(details.endpoint);
    const client = url.protocol === 'http:' ? http : https;
    return new Promise((resolve) => {
      const request = client.request(
        url,
        {
          method: details.method,
          headers: details.headers as http.OutgoingHttpHeaders,
          timeout: this.timeoutMs,
          agent: false,
          ...(this.options.allowPrivate ? {} : { lookup: publicOnlyLookup }),
        },
        (response) => {
          const status = response.statusCode ?? 0;
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            if (text.length < 500) text += chunk;
          });
          response.on('error', (error) => resolve({ status: 'failed', reason: error.message }));
          response.on('end', () => {
            if (status >= 200 && status < 300) resolve({ status: 'sent' });
            else if (status === 404 || status === 410) resolve({ status: 'gone' });
            else
              resolve({ status: 'failed', reason: `push service answered ${status}: ${text.slice(0, 500)}` });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error('push service timed out')));
      request.on('error', (error) => resolve({ status: 'failed', reason: error.message }));
      request.end(details.body);
    });
  }
}

/** dns.lookup, refusing names that resolve to a private, loopback or reserved address. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const refused = addresses.find((entry) => isPrivateAddress(entry.address));
    if (refused || addresses.length === 0) {
      return callback(new Error(`push endpoint ${hostname} resolves to a private address`), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0] as LookupAddress;
    return callback(null, first.address, first.family);
  });
};

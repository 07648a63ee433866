import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Section 14: where the server may POST webhooks. A webhook URL names a host
 * the agent's owner chose, so without a guard the server would be a proxy into
 * its own network (SSRF). Every address the host resolves to must be public
 * unicast; one private answer is enough to refuse, since the connection could
 * go to any of them. The dispatcher resolves again at each delivery and on
 * every redirect hop, and connects to the address it checked (see
 * webhook-sender.ts), so a name that later points inside is refused too.
 */

/** Resolves a host name to all its addresses. */
export type ResolveHost = (host: string) => Promise<string[]>;

export interface AddressGuardOptions {
  /** WEBHOOK_ALLOW_PRIVATE: development and tests may use loopback and private addresses. */
  allowPrivate: boolean;
  /** Default: the system resolver (`dns.lookup`, all addresses). Tests give names of their own. */
  resolveHost?: ResolveHost;
  /** Default: `isPublicAddress`. Tests call one loopback address public and another not. */
  isPublic?: (address: string) => boolean;
}

const resolveWithDns: ResolveHost = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Whether `address` is an ordinary public unicast address. ipaddr.js names
 * every special range (private, loopback, linkLocal, carrierGradeNat,
 * uniqueLocal, multicast, unspecified, reserved, 6to4, teredo, NAT64, ...);
 * only `unicast` is public. IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as
 * the IPv4 address it carries.
 */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return false;
  return ipaddr.process(bare).range() === 'unicast';
}

/** The host of a URL without IPv6 brackets, lower case. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Why `url` may not be a webhook target, or null when it may. */
export async function webhookAddressProblem(
  url: string,
  options: AddressGuardOptions,
): Promise<string | null> {
  const checked = await checkWebhookAddress(url, options);
  return 'problem' in checked ? checked.problem : null;
}

/** A URL that passed the guard, and the checked address the connection must go to. */
export interface CheckedAddress {
  url: URL;
  address: string;
}

/**
 * The guard itself, returning the resolved addresses too, so the dispatcher
 * can pin its connection to them (no second lookup that DNS rebinding could
 * answer differently).
 */
export async function checkWebhookAddress(
  url: string,
  options: AddressGuardOptions,
): Promise<CheckedAddress | { problem: string }> {
  const { resolveHost = resolveWithDns, isPublic = isPublicAddress } = options;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: 'webhook_url is not a URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { problem: 'webhook_url must be http:// or https://' };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return { problem: 'webhook_url must not carry credentials' };
  }
  const host = bareHost(parsed);
  let addresses: string[];
  try {
    addresses = isIP(host) !== 0 ? [host] : await resolveHost(host);
  } catch {
    addresses = [];
  }
  const [first] = addresses;
  if (first === undefined) return { problem: `webhook_url host ${host} does not resolve` };
  if (!options.allowPrivate && !addresses.every((address) => isPublic(address))) {
    return { problem: 'webhook_url must resolve to public addresses only' };
  }
  return { url: parsed, address: first };
}

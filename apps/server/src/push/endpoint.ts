import { BlockList, isIP } from 'node:net';

/**
 * Section 13: where the server may send pushes. An endpoint is `https://` on a
 * public address; with `allowPrivate` (development, tests) also `http://` and
 * private or loopback addresses. A name is checked again when it is resolved,
 * at each send (push-sender.ts), so a public name pointing inside is refused too.
 */
const privateRanges = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address (v4 or v6, v4-mapped included) is private, loopback, link-local or reserved. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1]) return privateRanges.check(mapped[1], 'ipv4');
  const family = isIP(bare);
  if (family === 4) return privateRanges.check(bare, 'ipv4');
  if (family === 6) return privateRanges.check(bare, 'ipv6');
  return true;
}

/** Why the endpoint is refused, or null. */
export function pushEndpointProblem(endpoint: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'endpoint is not a URL';
  }
  if (url.username !== '' || url.password !== '') return 'endpoint must not carry credentials';
  if (allowPrivate) {
    return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'endpoint must be http(s)://';
  }
  if (url.protocol !== 'https:') return 'endpoint must be https://';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host) !== 0) return isPrivateAddress(host) ? 'endpoint must be on a public address' : null;
  if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) {
    return 'endpoint must be on a public address';
  }
  if (/\.(local|internal|lan|home\.arpa)$/.test(host)) return 'endpoint must be on a public address';
  return null;
}

/** Why the subscription's keys cannot be encrypted to, or null: p256dh a P-256 point, auth 16 bytes. */
export function pushKeysProblem(keys: { p256dh: string; auth: string }): string | null {
  const point = Buffer.from(keys.p256dh, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04) return 'keys.p256dh must be an uncompressed P-256 public key';
  if (Buffer.from(keys.auth, 'base64url').length !== 16) return 'keys.auth must be 16 bytes';
  return null;
}

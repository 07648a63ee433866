import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfigFromEnv } from '../../src/config.js';
import { isPublicAddress, webhookAddressProblem } from '../../src/webhooks/address-guard.js';

/** Section 14: a webhook URL may not lead the server into its own network (SSRF). */
const strict = { allowPrivate: false };

describe('webhook address guard', () => {
  it.each([
    'http://127.0.0.1/hook',
    'http://127.1.2.3:8080/hook',
    'http://[::1]/hook',
    'http://10.1.2.3/hook',
    'http://172.16.0.1/hook',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/hook',
    'http://0.0.0.0/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:10.0.0.1]/hook',
    'http://[fc00::1]/hook',
    'http://[fe80::1]/hook',
    'http://[::]/hook',
    'http://224.0.0.1/hook',
    'http://localhost:3000/hook',
  ])('refuses %s', async (url) => {
    expect(await webhookAddressProblem(url, strict)).toMatch(/public/);
  });

  it('allows a public address literal, over http or https', async () => {
    expect(await webhookAddressProblem('https://93.184.216.34/hook', strict)).toBeNull();
    expect(await webhookAddressProblem('http://93.184.216.34:8080/hook', strict)).toBeNull();
    expect(
      await webhookAddressProblem('https://[2606:2800:220:1:248:1893:25c8:1946]/hook', strict),
    ).toBeNull();
  });

  it('refuses a name when any of its addresses is private', async () => {
    const resolve = async (): Promise<string[]> => ['93.184.216.34', '10.0.0.5'];
    expect(
      await webhookAddressProblem('https://hooks.example.com/x', { ...strict, resolveHost: resolve }),
    ).toMatch(/public/);
    const publicOnly = async (): Promise<string[]> => ['93.184.216.34'];
    expect(
      await webhookAddressProblem('https://hooks.example.com/x', { ...strict, resolveHost: publicOnly }),
    ).toBeNull();
  });

  it('refuses a name that does not resolve', async () => {
    const fails = async (): Promise<string[]> => {
      throw new Error('ENOTFOUND');
    };
    expect(
      await webhookAddressProblem('https://nowhere.example/x', { ...strict, resolveHost: fails }),
    ).toMatch(/resolve/);
  });

  it('refuses other schemes, credentials and non-URLs', async () => {
    expect(await webhookAddressProblem('ftp://93.184.216.34/x', strict)).toMatch(/http/);
    expect(await webhookAddressProblem('file:///etc/passwd', strict)).toMatch(/http/);
    expect(await webhookAddressProblem('https://user:pw@93.184.216.34/x', strict)).toMatch(/credentials/);
    expect(await webhookAddressProblem('not a url', strict)).toMatch(/URL/);
  });

  it('allows loopback and private addresses with allowPrivate (WEBHOOK_ALLOW_PRIVATE)', async () => {
    expect(await webhookAddressProblem('http://127.0.0.1:9/hook', { allowPrivate: true })).toBeNull();
    expect(await webhookAddressProblem('http://localhost:9/hook', { allowPrivate: true })).toBeNull();
    expect(await webhookAddressProblem('ftp://127.0.0.1/hook', { allowPrivate: true })).toMatch(/http/);
  });

  it('judges addresses by their range', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true);
    expect(isPublicAddress('::ffff:192.168.0.1')).toBe(false);
    expect(isPublicAddress('64:ff9b::a00:1')).toBe(false);
    expect(isPublicAddress('not-an-ip')).toBe(false);
  });

  it('WEBHOOK_ALLOW_PRIVATE: false by default, true or false when set, anything else refused at start', () => {
    expect(defaultConfig.webhookAllowPrivate).toBe(false);
    expect(loadConfigFromEnv({ WEBHOOK_ALLOW_PRIVATE: 'true' }).webhookAllowPrivate).toBe(true);
    expect(loadConfigFromEnv({ WEBHOOK_ALLOW_PRIVATE: 'false' }).webhookAllowPrivate).toBe(false);
    expect(loadConfigFromEnv({}).webhookAllowPrivate).toBeUndefined();
    expect(() => loadConfigFromEnv({ WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow(ConfigError);
  });
});

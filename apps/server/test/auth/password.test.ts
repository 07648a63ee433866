import { describe, expect, it } from 'vitest';
import { hashPassword, verifyDummyPassword, verifyPassword } from '../../src/auth/password';

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('writes a self-describing hash with a random salt', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(a.includes('same')).toBe(false);
  });

  it('verifies with the parameters stored in the hash', async () => {
    const cheap = await hashPassword('pw-123456', { N: 1024, r: 8, p: 1 });
    expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('pw-123456', cheap)).toBe(true);
  });

  it('compares passwords in Unicode NFC', async () => {
    const hash = await hashPassword('caf\u00e9!!');
    expect(await verifyPassword('cafe\u0301!!', hash)).toBe(true);
  });

  it('refuses hashes it cannot read instead of throwing', async () => {
    const good = await hashPassword('secret', { N: 1024, r: 8, p: 1 });
    const parts = good.split('$');
    const broken = [
      '',
      'plain-text',
      `bcrypt$${parts.slice(1).join('$')}`,
      ['scrypt', '1000', ...parts.slice(2)].join('$'),
      ['scrypt', String(2 ** 30), ...parts.slice(2)].join('$'),
      ['scrypt', '1024', '0', ...parts.slice(3)].join('$'),
      [...parts.slice(0, 5), 'c2hvcnQ'].join('$'),
    ];
    for (const hash of broken) expect(await verifyPassword('secret', hash)).toBe(false);
  });

  it('spends the time of a real check on a dummy hash', async () => {
    expect(await verifyDummyPassword('anything')).toBe(false);
  });
});

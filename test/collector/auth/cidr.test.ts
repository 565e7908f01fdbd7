import { describe, expect, it } from 'vitest';
import { addressAllowed, clientAddress, isLoopbackHost, normaliseAddress, parseCidr } from '../../../collector/auth/cidr.ts';

describe('CIDR scope', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['192.168.1.7', '192.168.1.7/32'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['::1', '::1/128'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
  ])('parses %s', (input, want) => expect(parseCidr(input)).toBe(want));

  it.each(['10.0.0.1/8', '10.0.0.0/33', 'abc', '', '::ffff:10.0.0.0/64', '1.2.3.4/-1', '10.0.0.0/8 ', '10.0.0.0/8\u0000'])('refuses %j', (input) => {
    expect(() => parseCidr(input)).toThrow(expect.objectContaining({ code: 'COL_SCOPE_INVALID' }));
  });

  it.each([
    ['10.1.2.3', ['10.0.0.0/8'], true],
    ['::ffff:10.1.2.3', ['10.0.0.0/8'], true],
    ['11.1.2.3', ['10.0.0.0/8'], false],
    ['2001:db8::1', ['2001:db8::/32'], true],
    ['2001:db9::1', ['2001:db8::/32'], false],
    ['10.1.2.3', ['2001:db8::/32'], false],
    ['fe80::1%eth0', ['fe80::/10'], true],
    ['anything', [], true],
    [undefined, ['10.0.0.0/8'], false],
  ] as const)('%s in %j → %s', (addr, cidrs, want) => {
    const norm = normaliseAddress(addr);
    expect(addressAllowed(cidrs.length === 0 ? 'x' : norm, cidrs)).toBe(want);
  });

  it('knows loopback', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1', '[::1]', 'localhost'].map(isLoopbackHost)).toEqual([true, true, true, true, true]);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });

  it('takes the client address from X-Forwarded-For only through trusted proxies', () => {
    const proxies = ['10.0.0.0/24', '2001:db8::/64'];
    expect(clientAddress('10.0.0.2', '203.0.113.7', [])).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientAddress('::ffff:10.0.0.2', ['198.51.100.1, 203.0.113.7', '10.0.0.5'], proxies)).toBe('203.0.113.7');
    expect(clientAddress('192.0.2.1', '203.0.113.7', proxies)).toBe('192.0.2.1');
    expect(clientAddress('2001:db8::9', '203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', 'not-an-address', proxies)).toBeNull();
    expect(clientAddress('10.0.0.2', undefined, proxies)).toBe('10.0.0.2');
  });
});


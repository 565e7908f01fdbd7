// Address scoping for enrolment tokens (IPv4 and IPv6 via ipaddr.js). IPv4-mapped IPv6 addresses
// (::ffff:a.b.c.d, what a dual-stack socket reports) are treated as the IPv4 address they carry.
import ipaddr from 'ipaddr.js';
import { colError } from '../errors.ts';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

function unmap(addr: Addr): Addr {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

/** Canonical text of a socket address (mapped IPv4 unwrapped, zone id dropped), or null if not an IP. */
export function normaliseAddress(raw: string | undefined): string | null {
  if (typeof raw !== 'string' || raw.length > 64) return null;
  const bare = raw.replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return null;
  const addr = unmap(ipaddr.parse(bare));
  return addr.kind() === 'ipv6' ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString();
}

/**
 * Parses and normalises a CIDR ("10.0.0.0/8", "2001:db8::/32", "::ffff:10.0.0.0/104" → "10.0.0.0/8");
 * a bare address means a single host. Host bits must be zero so a typo is not silently widened.
 */
export function parseCidr(text: string): string {
  const fail = (why: string): never => {
    throw colError('COL_SCOPE_INVALID', `invalid CIDR ${JSON.stringify(text.slice(0, 80))}: ${why}`);
  };
  if (typeof text !== 'string' || text.length > 64) return fail('not a string of at most 64 characters');
  const withBits = text.includes('/') ? text : `${text}/${ipaddr.IPv4.isValid(text) && !text.includes(':') ? 32 : 128}`;
  if (!ipaddr.isValidCIDR(withBits)) return fail('not an IPv4 or IPv6 CIDR');
  let [addr, bits] = ipaddr.parseCIDR(withBits);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    if (bits < 96) return fail('an IPv4-mapped prefix must be /96 or longer');
    addr = (addr as ipaddr.IPv6).toIPv4Address();
    bits -= 96;
  }
  const network = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
  if (network.toString() !== addr.toString()) return fail(`host bits set (network is ${network.toString()}/${bits})`);
  const shown = addr.kind() === 'ipv6' ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString();
  return `${shown}/${bits}`;
}

/** True when `address` lies in one of `cidrs`; an empty list allows every address. */
export function addressAllowed(address: string | null, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return true;
  if (address === null) return false;
  const addr = unmap(ipaddr.parse(address));
  for (const cidr of cidrs) {
    const [range, bits] = ipaddr.parseCIDR(cidr);
    if (range.kind() === addr.kind() && addr.match(range, bits)) return true;
  }
  return false;
}

/**
 * The client's address behind trusted reverse proxies: the socket peer, or — while that hop is a
 * trusted proxy — the next address to the left in X-Forwarded-For. Without trusted proxies the
 * header is ignored (anyone can send it).
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: readonly string[]): string | null {
  let current = normaliseAddress(socketAddress);
  if (trusted.length === 0 || forwardedFor === undefined) return current;
  const hops = [forwardedFor].flat().join(',').split(',').map((h) => h.trim()).filter((h) => h.length > 0);
  while (current !== null && addressAllowed(current, trusted) && hops.length > 0) {
    current = normaliseAddress(hops.pop());
  }
  return current;
}

/** Loopback check for the plain-HTTP guard (127.0.0.0/8, ::1, and "localhost"). */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const norm = normaliseAddress(host.replace(/^\[|\]$/g, ''));
  return norm !== null && ipaddr.parse(norm).range() === 'loopback';
}

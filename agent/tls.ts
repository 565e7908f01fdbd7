// Opening a connection the agent trusts: TLS ≥ 1.2 verified against the given CA (or the system
// roots) and/or an SPKI pin, checked on our own socket *before* any byte of HTTP — so neither the
// enrolment token nor the device token is ever written to a server that failed verification.
import { X509Certificate, createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { PatchproofError } from '../evidence/errors.ts';
import { agtError } from './transport-errors.ts';

export interface Trust {
  /** PEM of the CA(s) to trust instead of the system roots. */
  ca?: string;
  /** base64 (or hex) SHA-256 of the server leaf's DER SubjectPublicKeyInfo. */
  pinSha256?: string;
}

/** Parses a pin given as base64, base64url, hex or curl's `sha256//base64`; returns the 32 bytes. */
export function parsePin(pin: string): Buffer {
  const text = pin.trim().replace(/^sha256\/\//i, '');
  let bytes: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(text)) bytes = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes === null || bytes.length !== 32) throw agtError('AGT_PIN_INVALID', `"${pin}" is not a SHA-256 digest in base64 or hex`);
  return bytes;
}

/** The canonical spelling we store: standard base64 with padding. */
export function normalizePin(pin: string): string {
  return parsePin(pin).toString('base64');
}

/** SHA-256 of a DER SubjectPublicKeyInfo, base64: what `openssl … pkey -pubin -outform der | dgst -sha256 -binary | base64` prints. */
export function spkiSha256(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('base64');
}

/**
 * The DER SubjectPublicKeyInfo of the peer's leaf certificate. (Not `cert.pubkey`: for EC keys
 * Node gives the raw point there, which would not match an openssl-computed pin.)
 */
function peerSpki(socket: tls.TLSSocket): Buffer | null {
  const raw = socket.getPeerCertificate(false)?.raw;
  if (!raw) return null;
  try {
    return new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    return null;
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  return mapped !== null && mapped[1]!.startsWith('127.');
}

/**
 * Parses the collector URL and refuses plaintext except to loopback. Accepts https/wss (TLS) and
 * http/ws; returns the base URL (https: or http:) with a trailing slash.
 */
export function parseServerUrl(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw agtError('AGT_INSECURE_URL', `"${server}" is not a URL`, { hint: 'Give the collector as https://host:port' });
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!secure && url.protocol !== 'http:' && url.protocol !== 'ws:') throw agtError('AGT_INSECURE_URL', `unsupported scheme ${url.protocol} in ${server}`);
  if (!secure && !isLoopbackHost(url.hostname)) throw agtError('AGT_INSECURE_URL', `refusing plaintext ${url.protocol}// to ${url.hostname}: only loopback may skip TLS`);
  if (url.username || url.password || url.search || url.hash) throw agtError('AGT_INSECURE_URL', 'the collector URL may not carry credentials, a query or a fragment');
  const base = new URL(url.href);
  base.protocol = secure ? 'https:' : 'http:';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return base;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** OpenSSL's ways of saying the two sides share no TLS version (the server's alert, or its older hello). */
const NO_COMMON_VERSION = /^ERR_SSL_(TLSV1_ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|VERSION_TOO_LOW)$/;

/** Maps a socket or TLS failure to a coded agent error. */
export function connectError(err: unknown, where: string): PatchproofError {
  const e = err as NodeJS.ErrnoException & { host?: string; cert?: { subjectaltname?: string } };
  if ((err as PatchproofError).code?.startsWith?.('AGT_')) return err as PatchproofError;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = e.cert?.subjectaltname ?? null;
    return agtError('AGT_TLS_HOSTNAME_MISMATCH', `the certificate of ${where} is not issued for ${e.host ?? where}: it names ${names ?? 'no subjectAltName'}`, {
      cause: err,
      data: { tls_code: code, host: e.host ?? null, cert_names: names },
    });
  }
  if (NO_COMMON_VERSION.test(code)) {
    return agtError('AGT_TLS_VERSION_REFUSED', `${where} offers only TLS older than 1.2, which this agent refuses (${code})`, { cause: err, data: { tls_code: code } });
  }
  if (/CERT|ISSUER|SIGNATURE|ALTNAME|UNABLE_TO_VERIFY|SELF_SIGNED|INVALID_CA|PATH_LENGTH|HOSTNAME/.test(code)) {
    return agtError('AGT_TLS_UNTRUSTED', `the certificate of ${where} is not trusted: ${e.message} (${code})`, { cause: err, data: { tls_code: code } });
  }
  const reason = UNREACHABLE.has(code) ? code : `${code || 'error'}: ${e?.message ?? String(err)}`;
  return agtError('AGT_SERVER_UNREACHABLE', `cannot reach ${where}: ${reason}`, { cause: err, data: { errno: code || null } });
}

export interface OpenOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Connects to `url`'s host and port; for https, completes and verifies the TLS handshake
 * (CA/hostname unless only a pin is given, then the pin) before resolving.
 */
export function openVerifiedSocket(url: URL, trust: Trust, options: OpenOptions = {}): Promise<net.Socket> {
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (secure ? 443 : 80));
  const pin = trust.pinSha256 === undefined ? null : parsePin(trust.pinSha256);
  const where = `${host}:${port}`;
  return new Promise<net.Socket>((resolve, reject) => {
    let socket: net.Socket;
    const fail = (err: PatchproofError) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err);
    };
    const onAbort = () => fail(agtError('AGT_SERVER_UNREACHABLE', `connection to ${where} cancelled`));
    const timer = setTimeout(() => fail(agtError('AGT_SERVER_UNREACHABLE', `cannot reach ${where}: timed out`)), options.timeoutMs ?? 15_000);
    timer.unref?.();
    const ready = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    };
    if (secure) {
      // Pin alone is a complete trust decision (like an SSH host key); with a CA, both must pass.
      const pinOnly = pin !== null && trust.ca === undefined;
      const tlsSocket = tls.connect({
        host,
        port,
        servername: net.isIP(host) ? undefined : host,
        minVersion: 'TLSv1.2',
        ALPNProtocols: ['http/1.1'],
        ...(trust.ca === undefined ? {} : { ca: trust.ca }),
        rejectUnauthorized: !pinOnly,
      });
      socket = tlsSocket;
      tlsSocket.once('secureConnect', () => {
        if (pin !== null) {
          const der = peerSpki(tlsSocket);
          const got = der ? createHash('sha256').update(der).digest() : Buffer.alloc(32);
          if (!der || !timingSafeEqual(got, pin)) {
            return fail(
              agtError('AGT_TLS_PIN_MISMATCH', `the public key of ${where} (sha256 ${got.toString('base64')}) does not match the pin ${pin.toString('base64')}`, {
                data: { expected: pin.toString('base64'), got: got.toString('base64') },
              }),
            );
          }
        }
        ready();
      });
    } else {
      socket = net.connect({ host, port });
      socket.once('connect', ready);
    }
    socket.once('error', (err) => fail(connectError(err, where)));
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

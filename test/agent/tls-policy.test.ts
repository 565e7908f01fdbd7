// The agent's TLS floor and host-name check against real servers on 127.0.0.1: a collector that
// offers only TLS 1.1, and one whose certificate (signed by the trusted CA) names another host.
// Each is refused with its own code before any byte of HTTP, so no token is ever sent.
import { createHash, X509Certificate } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../../agent/enroll.ts';
import { webSocketTransport } from '../../agent/transport.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { credentialsFor } from './helpers/credentials.ts';
import { makeBody, pkgs } from './helpers/fake-collect.ts';
import { makePki, type TestPki } from './helpers/pki.ts';
import { DEVICE_TOKEN, HOST_ID, startStub, type StubCollector } from './helpers/stub-collector.ts';

let pki: TestPki;
const closers: Array<() => Promise<unknown>> = [];
beforeAll(() => void (pki = makePki()));
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const connect = webSocketTransport({ connectTimeoutMs: 5000 });
const TOKEN = 'ppe_' + 'e'.repeat(32);
const facts = async () => makeBody(new Date('2025-01-01T00:00:00Z'), pkgs('a=1'));
const stateDir = () => join(mkdtempSync(join(tmpdir(), 'pp-tls-')), 'state');
const noop = () => undefined;

/** A real HTTPS server that speaks TLS 1.1 and nothing else (legacy suites allowed), counting requests. */
async function tls11Server(): Promise<{ url: string; port: number; requests: () => number }> {
  let requests = 0;
  const server = https.createServer(
    { cert: pki.certPem, key: pki.keyPem, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
    (_req, res) => {
      requests++;
      res.end('{}');
    },
  );
  server.on('tlsClientError', noop);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  const port = (server.address() as AddressInfo).port;
  return { url: `https://127.0.0.1:${port}/`, port, requests: () => requests };
}

/** What a TLS 1.1 client (the same CA, legacy suites allowed) negotiates with it: proof it serves TLS 1.1. */
function negotiatedByLegacyClient(port: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca: pki.caPem, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, () => {
      resolve(s.getProtocol());
      s.end();
    });
    s.on('error', reject);
  });
}

describe('TLS version floor', () => {
  it('refuses a collector that offers only TLS 1.1 with AGT_TLS_VERSION_REFUSED, on the socket and at enrolment', async () => {
    const server = await tls11Server();
    expect(await negotiatedByLegacyClient(server.port)).toBe('TLSv1.1');
    const creds = { server: server.url, host_id: HOST_ID, device_token: DEVICE_TOKEN, collector_id: 'test', enrolled_at: '2025-01-01T00:00:00.000Z', ca_pem: pki.caPem };
    const err = await connect({ credentials: creds, onMessage: noop, onClose: noop }).catch((e) => e);
    expect(isPatchproofError(err, 'AGT_TLS_VERSION_REFUSED')).toBe(true);
    expect(err.message).toContain(`127.0.0.1:${server.port} offers only TLS older than 1.2`);
    expect(err.data.tls_code).toMatch(/^ERR_SSL_/);
    expect(err.hint).toMatch(/TLS 1\.2/);
    const e2 = await enroll({ server: server.url, token: TOKEN, state: stateDir(), facts, ca: { pem: pki.caPem } }).catch((e) => e);
    expect(isPatchproofError(e2, 'AGT_TLS_VERSION_REFUSED')).toBe(true);
    expect(server.requests()).toBe(0); // neither token was ever written to it
  });
});

describe('certificate host name', () => {
  async function wrongNameStub(): Promise<StubCollector> {
    const s = await startStub({ tls: { cert: pki.wrongNameCertPem, key: pki.wrongNameKeyPem }, enroll: () => ({ status: 201, body: {} }) });
    closers.push(() => s.stop());
    return s;
  }

  it('refuses a certificate from the trusted CA issued for another name with AGT_TLS_HOSTNAME_MISMATCH', async () => {
    const s = await wrongNameStub();
    for (const host of ['127.0.0.1', 'localhost']) {
      const creds = { ...credentialsFor(s, { ca_pem: pki.caPem }), server: `https://${host}:${s.port}/` };
      const err = await connect({ credentials: creds, onMessage: noop, onClose: noop }).catch((e) => e);
      expect(isPatchproofError(err, 'AGT_TLS_HOSTNAME_MISMATCH'), host).toBe(true);
      expect(err.message).toBe(`the certificate of ${host}:${s.port} is not issued for ${host}: it names DNS:collector.example`);
      expect(err.data).toMatchObject({ tls_code: 'ERR_TLS_CERT_ALTNAME_INVALID', host, cert_names: 'DNS:collector.example' });
    }
    const e2 = await enroll({ server: s.url, token: TOKEN, state: stateDir(), facts, ca: { pem: pki.caPem } }).catch((e) => e);
    expect(isPatchproofError(e2, 'AGT_TLS_HOSTNAME_MISMATCH')).toBe(true);
    expect(s.httpRequests).toBe(0);
  });

  it('still accepts that certificate by its SPKI pin alone (the pin is the whole trust decision)', async () => {
    const s = await wrongNameStub();
    const pin = createHash('sha256').update(new X509Certificate(pki.wrongNameCertPem).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    const conn = await connect({ credentials: credentialsFor(s, { pin_sha256: pin }), onMessage: noop, onClose: noop });
    conn.close();
  });
});

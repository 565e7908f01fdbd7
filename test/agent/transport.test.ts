import { X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isPatchproofError, type PatchproofError } from '../../evidence/errors.ts';
import type { CollectorMessage } from '../../evidence/types.gen.ts';
import { memoryLog } from '../../agent/log.ts';
import { isLoopbackHost, normalizePin, parsePin, parseServerUrl, spkiSha256 } from '../../agent/tls.ts';
import { agentSocketUrl, webSocketTransport, type CloseInfo, type ConnectRequest } from '../../agent/transport.ts';
import { credentialsFor } from './helpers/credentials.ts';
import { makePki, type TestPki } from './helpers/pki.ts';
import { DEVICE_TOKEN, startStub, type StubCollector } from './helpers/stub-collector.ts';

let pki: TestPki;
const stubs: StubCollector[] = [];
beforeAll(() => void (pki = makePki()));
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.stop()));
});

async function stub(options: Parameters<typeof startStub>[0] = {}) {
  const s = await startStub({ tls: { cert: pki.certPem, key: pki.keyPem }, ...options });
  stubs.push(s);
  return s;
}

function request(creds: ConnectRequest['credentials'], extra: Partial<ConnectRequest> = {}) {
  const messages: CollectorMessage[] = [];
  let closed!: (info: CloseInfo) => void;
  const closedP = new Promise<CloseInfo>((r) => (closed = r));
  const req: ConnectRequest = { credentials: creds, onMessage: (m) => messages.push(m), onClose: (i) => closed(i), ...extra };
  return { req, messages, closed: closedP };
}

const connect = webSocketTransport({ connectTimeoutMs: 5000 });
const code = (p: Promise<unknown>) => p.then(() => 'connected', (e: PatchproofError) => e.code);

describe('pins and URLs', () => {
  it("computes the SPKI pin exactly as openssl's pipeline does", () => {
    const cert = new X509Certificate(pki.certPem);
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    expect(spkiSha256(spki)).toBe(pki.pin);
  });

  it('accepts base64, base64url, hex and sha256// pins; refuses others', () => {
    const hex = parsePin(pki.pin).toString('hex');
    expect(normalizePin(hex)).toBe(pki.pin);
    expect(normalizePin(`sha256//${pki.pin}`)).toBe(pki.pin);
    expect(normalizePin(parsePin(pki.pin).toString('base64url'))).toBe(pki.pin);
    for (const bad of ['', 'abc', 'a'.repeat(63), pki.pin.slice(0, 20)]) {
      expect(() => parsePin(bad)).toThrow(expect.objectContaining({ code: 'AGT_PIN_INVALID' }));
    }
  });

  it('allows plaintext only to loopback', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.8.9.10')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.evil.example')).toBe(false);
    expect(parseServerUrl('http://127.0.0.1:8080').href).toBe('http://127.0.0.1:8080/');
    expect(agentSocketUrl('https://c.example:8443').href).toBe('wss://c.example:8443/api/v1/agent');
    expect(agentSocketUrl('wss://c.example/base').href).toBe('wss://c.example/base/api/v1/agent');
    for (const bad of ['http://collector.example', 'ws://10.1.2.3:80', 'ftp://x', 'https://u:p@c.example', 'not a url']) {
      expect(() => parseServerUrl(bad)).toThrow(expect.objectContaining({ code: 'AGT_INSECURE_URL' }));
    }
  });
});

describe('WebSocket transport', () => {
  it('connects over TLS verified by the CA, with the bearer token, and exchanges JSON messages', async () => {
    const s = await stub({ onHello: () => [{ type: 'config', interval_s: 600 }] });
    const { req, messages, closed } = request(credentialsFor(s, { ca_pem: pki.caPem }));
    const conn = await connect(req);
    expect(s.authHeaders).toEqual([`Bearer ${DEVICE_TOKEN}`]);
    conn.send({ type: 'hello', protocol: 1, agent_version: '0.1.0' });
    await expect.poll(() => messages).toEqual([{ type: 'config', interval_s: 600 }]);
    conn.close();
    expect((await closed).code).toBe(1000);
  });

  it('refuses a server whose certificate the given CA did not sign, before sending the token', async () => {
    const s = await stub();
    const err = await connect(request(credentialsFor(s, { ca_pem: pki.otherCaPem })).req).catch((e) => e);
    expect(isPatchproofError(err, 'AGT_TLS_UNTRUSTED')).toBe(true);
    expect(err.message).toMatch(/not trusted/);
    expect(s.httpRequests).toBe(0);
  });

  it('refuses an untrusted server when no CA is given (system roots)', async () => {
    const s = await stub();
    expect(await code(connect(request(credentialsFor(s)).req))).toBe('AGT_TLS_UNTRUSTED');
  });

  it('accepts a matching pin together with the CA, and a pin alone for a self-signed collector', async () => {
    const s = await stub();
    const a = await connect(request(credentialsFor(s, { ca_pem: pki.caPem, pin_sha256: pki.pin })).req);
    a.close();
    const self = await stub({ tls: { cert: pki.selfSignedCertPem, key: pki.selfSignedKeyPem } });
    const b = await connect(request(credentialsFor(self, { pin_sha256: parsePin(pki.selfSignedPin).toString('hex') })).req);
    b.close();
  });

  it('refuses a pin mismatch with AGT_TLS_PIN_MISMATCH, even when the CA vouches for the server, before any HTTP', async () => {
    const s = await stub();
    const err = await connect(request(credentialsFor(s, { ca_pem: pki.caPem, pin_sha256: pki.selfSignedPin })).req).catch((e) => e);
    expect(isPatchproofError(err, 'AGT_TLS_PIN_MISMATCH')).toBe(true);
    const self = await stub({ tls: { cert: pki.selfSignedCertPem, key: pki.selfSignedKeyPem } });
    expect(await code(connect(request(credentialsFor(self, { pin_sha256: pki.pin })).req))).toBe('AGT_TLS_PIN_MISMATCH');
    expect(s.httpRequests + self.httpRequests).toBe(0);
  });

  it('reports a refused device token as AGT_AUTH_REFUSED with the collector code', async () => {
    const s = await stub();
    const creds = { ...credentialsFor(s, { ca_pem: pki.caPem }), device_token: 'ppd_' + 'x'.repeat(48) };
    const err = await connect(request(creds).req).catch((e) => e);
    expect(isPatchproofError(err, 'AGT_AUTH_REFUSED')).toBe(true);
    expect(err.data).toMatchObject({ status: 401, collector_code: 'COL_DEVICE_UNKNOWN' });
  });

  it('reports a closed port as AGT_SERVER_UNREACHABLE', async () => {
    const s = await stub();
    const creds = credentialsFor(s, { ca_pem: pki.caPem });
    await s.stop();
    expect(await code(connect(request(creds).req))).toBe('AGT_SERVER_UNREACHABLE');
  });

  it('allows plain ws:// to loopback (tests) and refuses it elsewhere without connecting', async () => {
    const s = await startStub();
    stubs.push(s);
    const conn = await connect(request(credentialsFor(s)).req);
    conn.close();
    const remote = { ...credentialsFor(s), server: 'http://192.0.2.1:80/' };
    expect(await code(connect(request(remote).req))).toBe('AGT_INSECURE_URL');
  });

  it('detects a dead peer (no pong) and closes with AGT_CONNECTION_LOST', async () => {
    const s = await stub({ autoPong: false });
    const fast = webSocketTransport({ keepaliveMs: 100, deadAfterMs: 400 });
    const { req, closed } = request(credentialsFor(s, { ca_pem: pki.caPem }));
    await fast(req);
    const info = await closed;
    expect(info.error?.code).toBe('AGT_CONNECTION_LOST');
  });

  it('keeps a quiet but live connection open (pongs count as life)', async () => {
    const s = await stub();
    const fast = webSocketTransport({ keepaliveMs: 50, deadAfterMs: 1000 });
    let closedEarly = false;
    const conn = await fast({ ...request(credentialsFor(s, { ca_pem: pki.caPem })).req, onClose: () => void (closedEarly = true) });
    await new Promise((r) => setTimeout(r, 1500));
    expect(closedEarly).toBe(false);
    conn.close();
  });

  it('drops collector frames that do not match the protocol, with a logged code', async () => {
    const s = await stub();
    const log = memoryLog();
    const { req, messages } = request(credentialsFor(s, { ca_pem: pki.caPem }), { log });
    const conn = await connect(req);
    for (const ws of s.connections) {
      ws.send('not json');
      ws.send(JSON.stringify({ type: 'ack', report_id: 'x' }));
      ws.send(JSON.stringify({ type: 'collect-now' }));
    }
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toEqual({ type: 'collect-now' });
    expect(log.lines.filter((l) => l.code === 'AGT_PROTOCOL_ERROR')).toHaveLength(2);
    conn.close();
  });
});

import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isPatchproofError } from '../../evidence/errors.ts';
import { check } from '../../evidence/schema.ts';
import { enroll, type EnrollOptions } from '../../agent/enroll.ts';
import { agentMain } from '../../agent/main.ts';
import { StateStore } from '../../agent/state.ts';
import { makeBody, pkgs } from './helpers/fake-collect.ts';
import { makePki, type TestPki } from './helpers/pki.ts';
import { DEVICE_TOKEN, HOST_ID, startStub, type StubCollector, type StubOptions } from './helpers/stub-collector.ts';

const TOKEN = 'ppe_' + 'e'.repeat(32);
let pki: TestPki;
const stubs: StubCollector[] = [];
beforeAll(() => void (pki = makePki()));
afterEach(async () => void (await Promise.all(stubs.splice(0).map((s) => s.stop()))));

const accept: StubOptions['enroll'] = () => ({ status: 201, body: { host_id: HOST_ID, device_token: DEVICE_TOKEN, collector_id: 'main', interval_s: 900 } });

async function stub(options: StubOptions = {}) {
  const s = await startStub({ tls: { cert: pki.certPem, key: pki.keyPem }, enroll: accept, ...options });
  stubs.push(s);
  return s;
}

const facts = async () => makeBody(new Date('2025-01-01T00:00:00Z'), pkgs('a=1'));
const stateDir = () => join(mkdtempSync(join(tmpdir(), 'pp-enroll-')), 'state');
const options = (s: StubCollector, extra: Partial<EnrollOptions> = {}): EnrollOptions => ({
  server: s.url,
  token: TOKEN,
  state: stateDir(),
  facts,
  ca: { pem: pki.caPem, file: pki.caFile },
  ...extra,
});

describe('enrolment', () => {
  it('posts the host facts and stores the credentials 0600 in a 0700 directory', async () => {
    const s = await stub();
    const o = options(s, { pinSha256: pki.pin, now: () => new Date('2025-02-03T04:05:06Z') });
    const result = await enroll(o);
    expect(result).toMatchObject({ host_id: HOST_ID, collector_id: 'main' });
    expect(s.enrollBodies).toHaveLength(1);
    expect(check('enrollRequest', s.enrollBodies[0])).toBeNull();
    expect(s.enrollBodies[0]).toMatchObject({ token: TOKEN, hostname: 'web-1', machine_id: '0123456789abcdef0123456789abcdef', os: { id: 'ubuntu' }, arch: 'x86_64' });
    const dir = o.state as string;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8'));
    expect(saved).toEqual({
      server: s.url,
      host_id: HOST_ID,
      device_token: DEVICE_TOKEN,
      collector_id: 'main',
      ca_pem: pki.caPem,
      ca_file: pki.caFile,
      pin_sha256: pki.pin,
      enrolled_at: '2025-02-03T04:05:06.000Z',
    });
    expect((await StateStore.open(dir)).state.interval_s).toBe(900);
  });

  it('uses --hostname over the collected one', async () => {
    const s = await stub();
    await enroll(options(s, { hostname: 'db-7.example.net' }));
    expect(s.enrollBodies[0]).toMatchObject({ hostname: 'db-7.example.net' });
  });

  it("says why the collector refused: AGT_ENROLL_REFUSED with the collector's code and message", async () => {
    const s = await stub({ enroll: () => ({ status: 403, body: { code: 'COL_TOKEN_EXPIRED', message: 'enrolment token expired on 2025-01-01' } }) });
    const o = options(s);
    const err = await enroll(o).catch((e) => e);
    expect(isPatchproofError(err, 'AGT_ENROLL_REFUSED')).toBe(true);
    expect(err.message).toContain('COL_TOKEN_EXPIRED: enrolment token expired on 2025-01-01');
    expect(err.data).toMatchObject({ status: 403, collector_code: 'COL_TOKEN_EXPIRED' });
    expect(await (await StateStore.open(o.state as string)).hasCredentials()).toBe(false);
  });

  it('never sends the token to a server the CA does not vouch for', async () => {
    const s = await stub();
    const err = await enroll(options(s, { ca: { pem: pki.otherCaPem } })).catch((e) => e);
    expect(isPatchproofError(err, 'AGT_TLS_UNTRUSTED')).toBe(true);
    expect(s.httpRequests).toBe(0);
  });

  it('refuses a pin mismatch', async () => {
    const s = await stub();
    const err = await enroll(options(s, { pinSha256: pki.selfSignedPin })).catch((e) => e);
    expect(isPatchproofError(err, 'AGT_TLS_PIN_MISMATCH')).toBe(true);
    expect(s.httpRequests).toBe(0);
  });

  it('reports an unreachable collector', async () => {
    const s = await stub();
    const o = options(s);
    await s.stop();
    await expect(enroll(o)).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_SERVER_UNREACHABLE'));
  });

  it('refuses a malformed token without contacting anyone, and a response that breaks the protocol', async () => {
    const s = await stub({ enroll: () => ({ status: 200, body: { host_id: 'not-a-host', device_token: 'x', collector_id: 'main' } }) });
    await expect(enroll(options(s, { token: 'ppe_short' }))).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_ENROLL_REFUSED'));
    expect(s.httpRequests).toBe(0);
    await expect(enroll(options(s))).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_PROTOCOL_ERROR'));
  });

  it('will not silently replace an existing enrolment', async () => {
    const s = await stub();
    const o = options(s);
    await enroll(o);
    await expect(enroll(o)).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_STATE_INVALID'));
    await enroll({ ...o, force: true });
    expect(s.enrollBodies).toHaveLength(2);
  });

  it('works from the command line, token from the environment, and prints no secret', async () => {
    const s = await stub();
    const dir = stateDir();
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (x: string) => void out.push(x), stderr: (x: string) => void err.push(x), env: { PATCHPROOF_ENROLL_TOKEN: TOKEN } };
    const code = await agentMain(['enroll', '--server', s.url, '--state', dir, '--ca', pki.caFile, '--pin-sha256', pki.pin], io, {
      collect: async ({ now }) => ({ body: makeBody(now?.() ?? new Date(), pkgs('a=1')) }),
    });
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    expect(out.join('')).toContain(`enrolled as ${HOST_ID}`);
    expect(out.join('') + err.join('')).not.toMatch(/ppd_|ppe_/);
    const bad = await agentMain(['enroll', '--server', 'http://collector.example', '--token', TOKEN, '--state', dir], io, {
      collect: async () => ({ body: makeBody(new Date(), pkgs('a=1')) }),
    });
    expect(bad).toBe(2);
    expect(err.join('')).toMatch(/error AGT_INSECURE_URL/);
  });
});

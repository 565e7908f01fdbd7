// Hostile enrolment requests: malformed and oversized bodies, wrong types, traversal and control
// characters in host facts, bad or foreign tokens, out-of-scope sources, caps, expiry and
// revocation. Each gets a coded error, no host is created, and every refusal is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, enrolBody, startTestCollector, type TestCollector } from '../collector/helpers.ts';
import { check } from '../../evidence/schema.ts';
import { HOSTILE_STRINGS, WRONG_VALUES } from './collector-cases.ts';

let c: TestCollector;
let open: string;
let scoped: string;
let capped: string;
let expired: string;
let revoked: string;
let enrolled = 0;

async function token(payload: Record<string, unknown>) {
  const res = await c.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(c.key('admin')), payload });
  return res.json() as { token: { id: string }; secret: string };
}

beforeAll(async () => {
  c = await startTestCollector({ options: { enrolPerMinutePerSource: 1_000_000, refusalAuditsGlobalPerMinute: 1_000_000 } });
  open = (await token({})).secret;
  scoped = (await token({ cidrs: ['10.20.0.0/16', 'fd00:1::/64'] })).secret;
  capped = (await token({ max_per_day: 1 })).secret;
  const e = await token({ expires: '1h' });
  expired = e.secret;
  const r = await token({});
  revoked = r.secret;
  await c.app.inject({ method: 'POST', url: `/api/v1/admin/tokens/${r.token.id}/revoke`, headers: bearer(c.key('admin')) });
  const first = await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(capped, 'first'), remoteAddress: '10.0.0.1' });
  expect(first.statusCode).toBe(200);
  enrolled = 1;
  c.clockCtl.advance(2 * 3600_000);
});
afterAll(async () => c?.close());

interface Case {
  name: string;
  payload: () => string | Record<string, unknown>;
  contentType?: string;
  remoteAddress?: string;
  status: number;
  code: string;
}

function cases(): Case[] {
  const out: Case[] = [];
  const bad = (name: string, payload: Case['payload'] | string | Record<string, unknown>, status = 400, code = 'COL_REQUEST_INVALID', extra: Partial<Case> = {}) => out.push({ name, payload: typeof payload === 'function' ? payload : () => payload, status, code, ...extra });
  for (const m of ['{', '{"token":', 'null', '[]', '"x"', '1', '{"a":1}{', '\u0000', 'not json']) bad(`malformed ${JSON.stringify(m)}`, m);
  bad('empty object', '{}');
  bad('text/plain body', 'token=ppe_x', 400, 'COL_REQUEST_INVALID', { contentType: 'text/plain' });
  bad('form body', 'token=ppe_x', 415, 'COL_REQUEST_INVALID', { contentType: 'application/x-www-form-urlencoded' });
  bad('oversized body', () => JSON.stringify({ ...enrolBody(open), pad: 'x'.repeat(20_000) }), 413, 'COL_MESSAGE_TOO_LARGE');
  bad('deep nesting', '{"a":'.repeat(2500) + '1' + '}'.repeat(2500), 400);
  for (const field of ['token', 'hostname', 'os', 'arch', 'agent_version', 'machine_id']) {
    for (const [label, v] of WRONG_VALUES) if (!(label === 'string' && field !== 'os' && field !== 'machine_id' && field !== 'token')) bad(`${field} = ${label}`, () => ({ ...enrolBody(open), [field]: v }));
  }
  for (const [label, s] of HOSTILE_STRINGS) {
    const variants: [string, Record<string, unknown>][] = [
      ['hostname', { hostname: s }],
      ['os.id', { os: { id: s } }],
      ['os.pretty_name', { os: { id: 'debian', pretty_name: s } }],
      ['arch', { arch: s }],
      ['agent_version', { agent_version: s }],
      ['machine_id', { machine_id: s }],
    ];
    for (const [field, patch] of variants) {
      // Some strings are legal for some fields ("..", "-rf" in arch): they never become paths (see below).
      if (check('enrollRequest', { ...enrolBody('ppe_' + 'A'.repeat(43)), ...patch }) === null) continue;
      bad(`${field} ${label}`, () => ({ ...enrolBody(open), ...patch }));
    }
  }
  bad('choosing its own host id', () => ({ ...enrolBody(open), host_id: 'h_0000000000000001' }));
  bad('choosing its own group', () => ({ ...enrolBody(open), group: 'admins' }));
  bad('prototype key', () => JSON.stringify(enrolBody(open)).replace('{', '{"__proto__":{"admin":true},'));
  for (const [label, t] of [
    ['device token', 'ppd_' + 'A'.repeat(43)],
    ['api key', 'ppa_' + 'A'.repeat(43)],
    ['no prefix', 'A'.repeat(47)],
    ['short', 'ppe_abc'],
    ['with space', 'ppe_' + 'A'.repeat(20) + ' ' + 'A'.repeat(20)],
    ['unicode', 'ppe_' + 'Ä'.repeat(30)],
  ]) {
    bad(`token: ${label}`, () => ({ ...enrolBody(open), token: t }));
  }
  bad('unknown well-formed token', enrolBody('ppe_' + 'Z'.repeat(43)), 401, 'COL_TOKEN_INVALID');
  bad('token with one character changed', () => enrolBody(open.slice(0, -1) + (open.endsWith('A') ? 'B' : 'A')), 401, 'COL_TOKEN_INVALID');
  for (const addr of ['10.21.0.1', '192.168.0.1', '::ffff:192.168.0.1', 'fd00:2::1', '::1', '127.0.0.1']) {
    bad(`outside the token's CIDRs from ${addr}`, () => enrolBody(scoped), 403, 'COL_SOURCE_NOT_ALLOWED', { remoteAddress: addr });
  }
  bad('over the daily cap', () => enrolBody(capped), 429, 'COL_ENROL_CAP_REACHED');
  bad('expired token', () => enrolBody(expired), 403, 'COL_TOKEN_EXPIRED');
  bad('revoked token', () => enrolBody(revoked), 403, 'COL_TOKEN_REVOKED');
  return out;
}

const all = cases();

describe(`hostile enrolments (${all.length} cases)`, () => {
  it.each(all)('$name', async ({ payload, contentType, remoteAddress, status, code }) => {
    const res = await c.app.inject({
      method: 'POST',
      url: '/api/v1/enroll',
      payload: payload(),
      headers: { 'content-type': contentType ?? 'application/json' },
      remoteAddress: remoteAddress ?? '10.0.0.9',
    });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().code).toBe(code);
    expect(res.json()).not.toHaveProperty('host_id');
  });

  it('created no host, audited every refusal, and still enrols good requests (in scope, too)', async () => {
    await c.sink.flush();
    expect((await c.sink.list('hosts')).length).toBe(enrolled);
    const refused = (await c.sink.reader.auditEntries()).filter((e) => e.action === 'enrol.refused');
    expect(refused).toHaveLength(all.length);
    expect(new Set(refused.map((e) => e.code))).toEqual(new Set(all.map((x) => x.code)));
    for (const [addr, tok] of [['10.20.3.4', scoped], ['::ffff:10.20.9.9', scoped], ['fd00:1::42', scoped], ['10.0.0.9', open]] as const) {
      const ok = await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok), remoteAddress: addr });
      expect(ok.statusCode, `${addr} ${ok.body}`).toBe(200);
    }
  });

  it('never turns host facts into paths: a legal "..", "-rf" in facts stays data inside hosts/<random id>/', async () => {
    const res = await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { ...enrolBody(open, 'dots'), os: { id: '..' }, arch: '..', agent_version: '-rf' }, remoteAddress: '10.0.0.9' });
    expect(res.statusCode).toBe(200);
    const hostId = res.json().host_id as string;
    expect(hostId).toMatch(/^h_[0-9a-f]{16}$/);
    expect((await c.sink.list(`hosts/${hostId}`)).map((e) => e.name).sort()).toEqual(['host.yaml', 'meta.yaml']);
    expect((await c.sink.list('hosts')).every((e) => /^h_[0-9a-f]{16}$/.test(e.name))).toBe(true);
  });

  it('caps how many refusals reach the audit log one by one per minute; the rest are written as summaries', async () => {
    const capped = await startTestCollector({ options: { refusalAuditsGlobalPerMinute: 3 } });
    try {
      for (let i = 0; i < 5; i++) await capped.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody('ppe_' + 'Z'.repeat(43)), remoteAddress: `10.2.0.${i}` });
      await capped.sink.flush();
      expect((await capped.sink.reader.auditEntries()).filter((e) => e.action === 'enrol.refused').map((e) => e.source)).toEqual(['10.2.0.0', '10.2.0.1', '10.2.0.2']);
      expect(await capped.metrics.registry.metrics()).toMatch(/patchproof_audit_refusals_suppressed_total\{action="enrol.refused"\} 2/);
      await capped.refusals.flush();
      const summaries = (await capped.sink.reader.auditEntries()).filter((e) => e.action === 'refusal.summary');
      expect(summaries).toEqual([
        expect.objectContaining({ actor: { type: 'anonymous', id: 'anonymous' }, source: '10.2.0.3', code: 'COL_TOKEN_INVALID', outcome: 'refused', details: expect.objectContaining({ action: 'enrol.refused', count: 1 }) }),
        expect.objectContaining({ source: '10.2.0.4', code: 'COL_TOKEN_INVALID', details: expect.objectContaining({ action: 'enrol.refused', count: 1 }) }),
      ]);
    } finally {
      await capped.close();
    }
  });

  it('rate-limits enrolment per source address before reading the body (429, audited in a summary)', async () => {
    const strict = await startTestCollector({ options: { enrolPerMinutePerSource: 3 } });
    try {
      const limitedAt = strict.clockCtl().toISOString();
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await strict.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: '{', headers: { 'content-type': 'application/json' }, remoteAddress: '10.1.1.1' })).statusCode);
      expect(codes).toEqual([400, 400, 400, 429, 429]);
      expect((await strict.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: '{', headers: { 'content-type': 'application/json' }, remoteAddress: '10.1.1.2' })).statusCode).toBe(400);
      strict.clockCtl.advance(60_000);
      expect((await strict.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: '{', headers: { 'content-type': 'application/json' }, remoteAddress: '10.1.1.1' })).statusCode).toBe(400);
      await strict.sink.flush();
      expect((await strict.sink.reader.auditEntries()).filter((e) => e.action === 'enrol.refused')).toHaveLength(5);
      await strict.refusals.flush();
      const summaries = (await strict.sink.reader.auditEntries()).filter((e) => e.action === 'refusal.summary');
      expect(summaries).toEqual([
        expect.objectContaining({
          source: '10.1.1.1',
          code: 'COL_RATE_LIMITED',
          details: { action: 'enrol.refused', count: 2, first_at: limitedAt, last_at: limitedAt },
        }),
      ]);
    } finally {
      await strict.close();
    }
  });
});

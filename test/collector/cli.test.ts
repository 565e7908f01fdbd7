// `patchproof token …` and `patchproof apikey …`: secrets printed once (stdout alone), lists and
// revocation, and audit entries queued while a running collector holds the repository lock.
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/patchproof.ts';
import type { CliIO } from '../../cli/io.ts';
import { drainOutbox } from '../../collector/outbox-drain.ts';
import { bearer, enrolBody, makeHome, removeHomes, startTestCollector, T0 } from './helpers.ts';
import { manualClock } from '../../collector/clock.ts';

afterAll(removeHomes);

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), stdin: async () => '', env: {}, cwd: process.cwd() };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

describe('token and apikey commands', () => {
  it('create prints only the secret on stdout; list and revoke work; every step is audited', async () => {
    const clock = manualClock(T0);
    const { home } = await makeHome(clock);
    const create = io();
    expect(await main(['token', 'create', '--home', home, '--cidr', '10.0.0.0/8', '--cidr', '2001:db8::/32', '--max-per-day', '5', '--expires', '2099-01-01', '--group', 'web'], create.cli)).toBe(0);
    expect(create.out()).toMatch(/^ppe_[A-Za-z0-9_-]{43}\n$/);
    expect(create.err()).toContain('group web, cidrs 10.0.0.0/8,2001:db8::/32, max/day 5');
    const list = io();
    expect(await main(['token', 'list', '--home', home, '--json'], list.cli)).toBe(0);
    const [token] = JSON.parse(list.out()) as { id: string; cidrs: string[] }[];
    expect(token!.cidrs).toEqual(['10.0.0.0/8', '2001:db8::/32']);
    expect(list.out()).not.toContain('ppe_');
    expect(await main(['token', 'revoke', '--home', home, token!.id], io().cli)).toBe(0);

    const key = io();
    expect(await main(['apikey', 'create', '--home', home, '--role', 'auditor', '--name', 'ext audit'], key.cli)).toBe(0);
    expect(key.out()).toMatch(/^ppa_[A-Za-z0-9_-]{43}\n$/);
    const keys = io();
    await main(['apikey', 'list', '--home', home], keys.cli);
    expect(keys.out()).toMatch(/^key_[0-9a-f]{12}\tauditor\tactive\text audit\tlast used never\n$/);

    const bad = io();
    expect(await main(['token', 'create', '--home', home, '--cidr', '10.0.0.1/8'], bad.cli)).toBe(2);
    expect(bad.err()).toContain('COL_SCOPE_INVALID');
    expect(await main(['apikey', 'create', '--home', home, '--role', 'root', '--name', 'x'], bad.cli)).toBe(2);
    expect(bad.err()).toContain('COL_ROLE_INVALID');

    const c = await startTestCollector({ clock, home });
    try {
      const actions = (await c.sink.reader.auditEntries()).map((e) => `${e.action}:${e.actor.type}`);
      expect(actions).toEqual(expect.arrayContaining(['token.created:cli', 'token.revoked:cli', 'apikey.created:cli']));
    } finally {
      await c.close();
    }
  });

  it('queues audit entries while the collector holds the lock; the collector commits them', async () => {
    const c = await startTestCollector();
    try {
      const create = io();
      expect(await main(['token', 'create', '--home', c.home], create.cli)).toBe(0);
      expect(create.err()).toContain('audit: 1 entry queued');
      expect(c.state.outbox.size()).toBe(1);
      expect(await drainOutbox(c.state.outbox, c.sink)).toBe(1);
      expect(c.state.outbox.size()).toBe(0);
      const entry = (await c.sink.reader.auditEntries()).find((e) => e.action === 'token.created');
      expect(entry).toMatchObject({ actor: { type: 'cli' }, outcome: 'success' });
      // The token works at once, collector running.
      const res = await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(create.out().trim()) });
      expect(res.statusCode).toBe(200);
      expect((await c.app.inject({ method: 'GET', url: '/api/v1/admin/tokens', headers: bearer(c.key('auditor')) })).json().tokens).toHaveLength(1);
    } finally {
      await c.close();
    }
  });
});

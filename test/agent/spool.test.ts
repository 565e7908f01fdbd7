import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPatchproofError } from '../../evidence/errors.ts';
import { Spool, seqFileName } from '../../agent/spool.ts';
import { withCarriedWarnings } from '../../agent/lost-checkins.ts';
import { LIMITS } from '../../agent/report-fields.ts';
import type { AtomicWrite } from '../../agent/atomic-file.ts';
import { makeBody, pkgs } from './helpers/fake-collect.ts';

const T0 = new Date('2025-03-01T00:00:00Z');
const dir = () => join(mkdtempSync(join(tmpdir(), 'pp-spool-')), 'spool');
const report = (seq: number, packages = pkgs('a=1', 'b=2'), extra = {}) => ({
  seq,
  report_id: `report-id-${String(seq).padStart(8, '0')}`,
  spooled_at: new Date(T0.getTime() + seq * 1000).toISOString(),
  body: makeBody(new Date(T0.getTime() + seq * 1000), packages, extra),
});
const mode = (p: string) => statSync(p).mode & 0o777;

describe('spool', () => {
  it('writes each report to a 0600 file named by zero-padded seq, packages kept once per inventory', async () => {
    const d = dir();
    const spool = await Spool.open(d);
    await spool.add(report(1));
    await spool.add(report(2));
    expect(mode(d)).toBe(0o700);
    expect(readdirSync(d).filter((n) => n.endsWith('.json')).sort()).toEqual([seqFileName(1), seqFileName(2)]);
    expect(seqFileName(2)).toBe('0000000000000002.json');
    expect(mode(join(d, seqFileName(1)))).toBe(0o600);
    expect(readdirSync(join(d, 'inventory'))).toHaveLength(1);
    const r = await spool.read(2);
    expect(r.report_id).toBe('report-id-00000002');
    expect(r.body).not.toHaveProperty('packages');
    expect(await spool.packages(r.body.inventory_sha256)).toEqual(pkgs('a=1', 'b=2'));
    expect(spool.entries().map((e) => e.seq)).toEqual([1, 2]);
  });

  it('survives a reopen, cleans partial temp files and orphaned inventories', async () => {
    const d = dir();
    const spool = await Spool.open(d);
    await spool.add(report(1));
    writeFileSync(join(d, '.tmp-0000000000000002.json-abc'), '{"half": ');
    writeFileSync(join(d, 'inventory', 'f'.repeat(64) + '.json'), '[]');
    const again = await Spool.open(d);
    expect(again.entries().map((e) => e.seq)).toEqual([1]);
    expect(readdirSync(d).some((n) => n.startsWith('.tmp-'))).toBe(false);
    expect(readdirSync(join(d, 'inventory'))).toHaveLength(1);
  });

  it('removes acknowledged entries and the inventories nobody needs', async () => {
    const spool = await Spool.open(dir());
    await spool.add(report(1, pkgs('a=1')));
    await spool.add(report(2, pkgs('a=2')));
    await spool.remove(1);
    expect(spool.entries().map((e) => e.seq)).toEqual([2]);
    expect(readdirSync(join(spool.dir, 'inventory'))).toHaveLength(1);
    await spool.remove(2);
    expect(readdirSync(join(spool.dir, 'inventory'))).toHaveLength(0);
    expect(spool.bytes).toBe(0);
  });

  it('refuses a body that does not match the protocol, writing nothing', async () => {
    const spool = await Spool.open(dir());
    const bad = report(1);
    (bad.body as { hostname: string }).hostname = 'bad host name';
    await expect(spool.add(bad)).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_REPORT_INVALID'));
    expect(readdirSync(spool.dir).filter((n) => n.endsWith('.json'))).toEqual([]);
  });

  it('a full disk gives AGT_SPOOL_WRITE_FAILED and never a visible half entry', async () => {
    const d = dir();
    let calls = 0;
    const fullDisk: AtomicWrite = async (path, data) => {
      calls++;
      if (calls < 2) return void (await fsp.writeFile(path, data, { mode: 0o600 }));
      await fsp.writeFile(join(d, `.tmp-${seqFileName(1)}-x`), String(data).slice(0, 10));
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    };
    const spool = await Spool.open(d, { write: fullDisk });
    const err = await spool.add(report(1)).catch((e) => e);
    expect(isPatchproofError(err, 'AGT_SPOOL_WRITE_FAILED')).toBe(true);
    expect(err.data.errno).toBe('ENOSPC');
    expect(spool.entries()).toEqual([]);
    const reopened = await Spool.open(d);
    expect(reopened.entries()).toEqual([]);
    expect(readdirSync(d).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(readdirSync(join(d, 'inventory'))).toEqual([]);
  });

  it('when full, a new report supersedes the oldest unchanged heartbeat, never a change', async () => {
    const spool = await Spool.open(dir(), { limits: { maxEntries: 3 } });
    await spool.add(report(1, pkgs('a=1')));
    await spool.add(report(2, pkgs('a=1'))); // heartbeat: same state as 1
    await spool.add(report(3, pkgs('a=2'))); // a change
    const { superseded } = await spool.add(report(4, pkgs('a=2')));
    expect(superseded).toEqual([2]);
    expect(spool.entries().map((e) => e.seq)).toEqual([1, 3, 4]);
  });

  it('when every entry is a change, refuses the new report with AGT_SPOOL_FULL and keeps the oldest', async () => {
    const spool = await Spool.open(dir(), { limits: { maxEntries: 2 } });
    await spool.add(report(1, pkgs('a=1')));
    const withEvent = { history: [{ time: T0.toISOString(), action: 'upgrade' as const, name: 'a', from: '1', to: '1' }] };
    await spool.add(report(2, pkgs('a=1'), withEvent)); // same state but carries a history event
    const err = await spool.add(report(3, pkgs('a=3'))).catch((e) => e);
    expect(isPatchproofError(err, 'AGT_SPOOL_FULL')).toBe(true);
    expect(spool.entries().map((e) => e.seq)).toEqual([1, 2]);
  });

  it('bounds bytes too', async () => {
    const big = pkgs(...Array.from({ length: 200 }, (_, i) => `package-${i}=1.0.${i}`));
    const probe = await Spool.open(dir());
    await probe.add(report(1, big));
    const spool = await Spool.open(dir(), { limits: { maxBytes: probe.bytes + 100 } });
    await spool.add(report(1, big));
    await expect(spool.add(report(2, pkgs('other=1')))).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_SPOOL_FULL'));
  });

  it('moves a report the collector refuses for good to rejected/, with the reason', async () => {
    const spool = await Spool.open(dir());
    await spool.add(report(1));
    await spool.reject(1, { code: 'COL_REPORT_TOO_OLD', message: 'older than the retention window' }, T0);
    expect(spool.entries()).toEqual([]);
    const [rejected] = await spool.rejected();
    expect(rejected).toMatchObject({ code: 'COL_REPORT_TOO_OLD', rejected_at: T0.toISOString(), report: { seq: 1 } });
    expect(mode(join(spool.dir, 'rejected', seqFileName(1)))).toBe(0o600);
  });
});

describe('check-ins the spool could not take', () => {
  const at = (seq: number) => new Date(T0.getTime() + seq * 1000).toISOString();
  const lostFile = (d: string) => join(d, 'lost-checkins.json');

  it('a check-in lost to a full disk is carried as AGT_SPOOL_WRITE_FAILED by the next report spooled', async () => {
    const d = dir();
    // An injected fs failure standing in for a full disk: while `full`, every write fails with ENOSPC
    // (the spool entry, its inventory and lost-checkins.json alike), so the loss is kept in memory.
    let full = false;
    const disk: AtomicWrite = async (path, data, options) => {
      if (full) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      await fsp.writeFile(path, data, { mode: options?.mode ?? 0o600 });
    };
    const spool = await Spool.open(d, { write: disk });
    await spool.add(report(1, pkgs('a=1')));
    full = true;
    for (const seq of [2, 3]) await expect(spool.add(report(seq, pkgs('a=1')))).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_SPOOL_WRITE_FAILED'));
    expect(existsSync(lostFile(d))).toBe(false);
    expect(spool.lost.tallies).toEqual([{ code: 'AGT_SPOOL_WRITE_FAILED', count: 2, first_at: at(2), last_at: at(3), last_reason: 'ENOSPC' }]);
    full = false;
    await spool.add(report(4, pkgs('a=1')));
    expect((await spool.read(4)).body.warnings).toEqual([
      { code: 'AGT_SPOOL_WRITE_FAILED', message: `2 check-ins between ${at(2)} and ${at(3)} were not recorded: the spool could not be written (last: ENOSPC)` },
    ]);
    expect(spool.lost.tallies).toEqual([]);
    // Unchanged state, but it carries the loss: never superseded as a mere heartbeat.
    expect(spool.entries().map((e) => [e.seq, e.events])).toEqual([[1, 0], [4, 1]]);
    await spool.add(report(5, pkgs('a=1')));
    expect((await spool.read(5)).body.warnings).toEqual([]);
    const bounded = await Spool.open(d, { limits: { maxEntries: 3 } });
    expect((await bounded.add(report(6, pkgs('a=1')))).superseded).toEqual([5]);
    expect(bounded.entries().map((e) => e.seq)).toEqual([1, 4, 6]);
  });

  it('one lost check-in is described with its time and reason, beside the collection warnings', async () => {
    let full = true;
    const disk: AtomicWrite = async (path, data) => {
      if (full) throw Object.assign(new Error('i/o error'), { code: 'EIO' });
      await fsp.writeFile(path, data, { mode: 0o600 });
    };
    const spool = await Spool.open(dir(), { write: disk });
    await expect(spool.add(report(1))).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_SPOOL_WRITE_FAILED'));
    full = false;
    await spool.add(report(2, pkgs('a=1', 'b=2'), { warnings: [{ code: 'AGT_LOG_MISSING', message: '/var/log/dpkg.log: ENOENT' }] }));
    expect((await spool.read(2)).body.warnings).toEqual([
      { code: 'AGT_LOG_MISSING', message: '/var/log/dpkg.log: ENOENT' },
      { code: 'AGT_SPOOL_WRITE_FAILED', message: `the check-in at ${at(1)} was not recorded: the spool could not be written (EIO)` },
    ]);
  });

  it('a check-in refused by the spool bound is remembered on disk across a restart and carried as AGT_SPOOL_FULL', async () => {
    const d = dir();
    const probe = await Spool.open(dir());
    await probe.add(report(1, pkgs('a=1')));
    await probe.add(report(2, pkgs('a=2')));
    const limit = probe.bytes + 300; // room for two changes, not a third: a small disk of its own
    let spool = await Spool.open(d, { limits: { maxBytes: limit } });
    await spool.add(report(1, pkgs('a=1')));
    await spool.add(report(2, pkgs('a=2')));
    const bytes = spool.bytes;
    await expect(spool.add(report(3, pkgs('a=3')))).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_SPOOL_FULL'));
    expect(mode(lostFile(d))).toBe(0o600);
    spool = await Spool.open(d, { limits: { maxBytes: limit } }); // the agent restarts
    expect(spool.lost.tallies).toEqual([{ code: 'AGT_SPOOL_FULL', count: 1, first_at: at(3), last_at: at(3), last_reason: `2 reports, ${bytes} bytes, every one a change` }]);
    await spool.remove(1); // acknowledged at last
    await spool.add(report(4, pkgs('a=4')));
    expect((await spool.read(4)).body.warnings).toEqual([
      { code: 'AGT_SPOOL_FULL', message: `the check-in at ${at(3)} was not recorded: the spool was full (2 reports, ${bytes} bytes, every one a change)` },
    ]);
    expect(existsSync(lostFile(d))).toBe(false);
    expect((await Spool.open(d)).lost.tallies).toEqual([]);
  });

  it('a damaged lost-checkins.json is ignored, not fatal', async () => {
    const d = dir();
    await Spool.open(d);
    writeFileSync(lostFile(d), '{"half":');
    const spool = await Spool.open(d);
    expect(spool.lost.tallies).toEqual([]);
    await spool.add(report(1));
    expect((await spool.read(1)).body.warnings).toEqual([]);
  });

  it('carried warnings are never the ones cut at the report limit', () => {
    const own = Array.from({ length: LIMITS.warnings - 1 }, (_, i) => ({ code: 'AGT_LOG_LINE_INVALID', message: `line ${String(i).padStart(3, '0')}` }));
    const carried = [{ code: 'AGT_SPOOL_WRITE_FAILED', message: 'lost' }];
    const exact = withCarriedWarnings(own, carried);
    expect(exact).toHaveLength(LIMITS.warnings);
    expect(exact.filter((w) => w.code === 'AGT_WARNINGS_TRUNCATED')).toEqual([]);
    const truncated = withCarriedWarnings([...own, { code: 'AGT_WARNINGS_TRUNCATED', message: '5 more warning(s) not shown' }], carried);
    expect(truncated).toHaveLength(LIMITS.warnings);
    expect(truncated).toContainEqual(carried[0]);
    expect(truncated.at(-1)).toEqual({ code: 'AGT_WARNINGS_TRUNCATED', message: '6 more warning(s) not shown' });
    expect(truncated.filter((w) => w.code === 'AGT_LOG_LINE_INVALID')).toHaveLength(LIMITS.warnings - 2);
    expect(withCarriedWarnings(own.slice(0, 3), [])).toEqual(own.slice(0, 3));
  });
});

import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPatchproofError } from '../../evidence/errors.ts';
import { Spool, seqFileName } from '../../agent/spool.ts';
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

import { describe, expect, it } from 'vitest';
import { decide } from '../../../collector/ingest/decide.ts';
import { stateFingerprint } from '../../../collector/ingest/state-fingerprint.ts';
import { emptyHostState } from '../../../collector/state/host-state.ts';
import { makePackages, reportBody, reportMsg } from '../reports.ts';

const opts = { cadenceMs: 86_400_000, skewThresholdMs: 300_000 };
const now = new Date('2025-02-01T12:00:00Z');
const pkgs = makePackages(4);
const body = reportBody({ packages: pkgs, collectedAt: now.toISOString() });
const written = {
  ...emptyHostState('h_0123456789abcdef'),
  seq: 3,
  agent_seq: 7,
  inventory_sha256: body.inventory_sha256,
  inventory_count: 4,
  last_written_at: '2025-02-01T00:00:00.000Z',
  state_sha256: stateFingerprint(body, body.inventory_sha256),
};

describe('decide', () => {
  it('writes the first report', () => {
    expect(decide(emptyHostState('h_0123456789abcdef'), reportMsg(1, body), now, opts)).toMatchObject({ kind: 'write', reason: 'first' });
  });
  it('records liveness for unchanged state within the cadence, a heartbeat after it', () => {
    expect(decide(written, reportMsg(8, { ...body, packages: undefined }), now, opts)).toMatchObject({ kind: 'liveness' });
    const later = new Date('2025-02-02T00:00:00Z');
    expect(decide(written, reportMsg(8, body), later, opts)).toMatchObject({ kind: 'write', reason: 'heartbeat', inventoryChanged: false });
  });
  it('writes when a reported fact changes (kernel reboot requirement)', () => {
    const changed = { ...body, kernel: { ...body.kernel, reboot_required: true } };
    expect(decide(written, reportMsg(8, changed), now, opts)).toMatchObject({ kind: 'write', reason: 'changed', inventoryChanged: false });
  });
  it('ignores what moves on every check-in (uptime, collected_at, warnings order)', () => {
    const moved = { ...body, uptime_s: 999, collected_at: '2025-02-01T11:59:00Z', warnings: [{ code: 'AGT_X', message: 'm' }] };
    expect(decide(written, reportMsg(8, moved), now, opts)).toMatchObject({ kind: 'liveness' });
  });
  it('writes an unchanged report that says check-ins were lost on the host, within the cadence', () => {
    for (const code of ['AGT_SPOOL_WRITE_FAILED', 'AGT_SPOOL_FULL']) {
      const lost = { ...body, packages: undefined, warnings: [{ code, message: 'the check-in at 2025-02-01T11:00:00Z was not recorded' }] };
      expect(decide(written, reportMsg(8, lost), now, opts)).toMatchObject({ kind: 'write', reason: 'heartbeat', inventoryChanged: false });
    }
  });
  it('acknowledges an old or repeated seq as out of order', () => {
    expect(decide(written, reportMsg(7, body), now, opts)).toMatchObject({ kind: 'out-of-order', anomalies: [{ code: 'COL_SEQ_OUT_OF_ORDER' }] });
  });
  it('asks for the inventory when the hash is unknown and packages are missing', () => {
    const other = reportBody({ packages: makePackages(5), includePackages: false });
    expect(decide(written, reportMsg(8, other), now, opts)).toMatchObject({ kind: 'nack', code: 'COL_INVENTORY_REQUIRED' });
  });
  it('refuses packages that do not hash to inventory_sha256', () => {
    expect(decide(written, reportMsg(8, { ...body, packages: makePackages(4, '9') }), now, opts)).toMatchObject({ kind: 'nack', code: 'COL_INVENTORY_MISMATCH' });
  });
  it('records an agent clock ahead of the collector', () => {
    const ahead = { ...body, collected_at: '2025-02-01T13:00:00Z' };
    expect(decide(written, reportMsg(8, ahead), now, opts)).toMatchObject({ anomalies: [{ code: 'COL_CLOCK_SKEW' }] });
  });
  it('writes a heartbeat at the first check-in of a new UTC day, not only 24 h after the last envelope', () => {
    const lateWritten = { ...written, last_written_at: '2025-02-01T23:30:00.000Z' };
    expect(decide(lateWritten, reportMsg(8, body), new Date('2025-02-01T23:59:59Z'), opts)).toMatchObject({ kind: 'liveness' });
    expect(decide(lateWritten, reportMsg(8, body), new Date('2025-02-02T00:10:00Z'), opts)).toMatchObject({ kind: 'write', reason: 'heartbeat' });
    // with an hourly cadence the periods are clock hours
    expect(decide(lateWritten, reportMsg(8, body), new Date('2025-02-01T23:59:00Z'), { ...opts, cadenceMs: 3_600_000 })).toMatchObject({ kind: 'liveness' });
    expect(decide(lateWritten, reportMsg(8, body), new Date('2025-02-02T00:00:00Z'), { ...opts, cadenceMs: 3_600_000 })).toMatchObject({ kind: 'write', reason: 'heartbeat' });
  });
});

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPatchproofError } from '../../evidence/errors.ts';
import { StateStore, type Credentials } from '../../agent/state.ts';
import { makeBody, pkgs } from './helpers/fake-collect.ts';
import { DEVICE_TOKEN, HOST_ID } from './helpers/stub-collector.ts';

const creds: Credentials = {
  server: 'https://collector.example:8443/',
  host_id: HOST_ID,
  device_token: DEVICE_TOKEN,
  collector_id: 'main',
  enrolled_at: '2025-01-01T00:00:00.000Z',
};
const mode = (p: string) => statSync(p).mode & 0o777;
const fresh = () => join(mkdtempSync(join(tmpdir(), 'pp-state-')), 'agent');

describe('agent state directory', () => {
  it('creates the directory 0700 and tightens a wider one', async () => {
    const d = fresh();
    await StateStore.open(d);
    expect(mode(d)).toBe(0o700);
    chmodSync(d, 0o755);
    await StateStore.open(d);
    expect(mode(d)).toBe(0o700);
  });

  it('keeps credentials in a 0600 file written atomically', async () => {
    const d = fresh();
    const store = await StateStore.open(d);
    await expect(store.credentials()).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_NOT_ENROLLED'));
    await store.saveCredentials(creds);
    expect(mode(join(d, 'credentials.json'))).toBe(0o600);
    expect(JSON.parse(readFileSync(join(d, 'credentials.json'), 'utf8'))).toEqual(creds);
    expect(readdirSync(d).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(await (await StateStore.open(d)).credentials()).toEqual(creds);
  });

  it('refuses damaged credentials with a clear code', async () => {
    const d = fresh();
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'credentials.json'), JSON.stringify({ ...creds, host_id: '../../etc' }));
    await expect((await StateStore.open(d)).credentials()).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_STATE_INVALID'));
  });

  it('persists seq and acknowledgement state across restarts', async () => {
    const d = fresh();
    const store = await StateStore.open(d);
    await store.update({ next_seq: 8, last_acked_seq: 7, last_acked_inventory_sha256: 'a'.repeat(64) });
    const again = await StateStore.open(d);
    expect(again.state).toMatchObject({ next_seq: 8, last_acked_seq: 7, last_acked_inventory_sha256: 'a'.repeat(64) });
    expect(mode(join(d, 'state.json'))).toBe(0o600);
  });

  it('never hands out a seq twice, even if state.json lags the spool (crash between the two writes)', async () => {
    const d = fresh();
    const store = await StateStore.open(d);
    await store.spool.add({ seq: 1, report_id: 'aaaaaaaaaaaaaaaaaaaa', spooled_at: '2025-01-01T00:00:00Z', body: makeBody(new Date(0), pkgs('a=1')) });
    // state.json was never updated: next_seq is still 1 on disk.
    const again = await StateStore.open(d);
    expect(again.state.next_seq).toBe(2);
  });

  it('lets one agent use a state directory, taking over the lock of a dead one', async () => {
    const d = fresh();
    const store = await StateStore.open(d);
    const release = await store.lock();
    await expect(store.lock(process.pid + 1_000_000)).rejects.toSatisfy((e) => isPatchproofError(e, 'AGT_STATE_INVALID'));
    await release();
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    writeFileSync(join(d, 'agent.lock'), `${deadPid}\n`);
    const again = await store.lock();
    expect(readFileSync(join(d, 'agent.lock'), 'utf8').trim()).toBe(String(process.pid));
    await again();
  });
});

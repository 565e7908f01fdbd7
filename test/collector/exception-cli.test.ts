// `patchproof exception submit`: a file from `patchproof new exception`, submitted as a request
// and again once approved, becomes two commits of exceptions/<id>.yaml through a listening collector.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { CliIO } from '../../cli/io.ts';
import { main } from '../../cli/patchproof.ts';
import { startTestCollector, type TestCollector } from './helpers.ts';

let c: TestCollector;
let url: string;
let dir: string;

beforeAll(async () => {
  c = await startTestCollector();
  await c.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = c.app.server.address() as { port: number };
  url = `http://127.0.0.1:${addr.port}`;
  dir = mkdtempSync(join(tmpdir(), 'pp-exc-cli-'));
  writeFileSync(join(dir, 'admin.key'), `${c.key('admin')}\n`);
  writeFileSync(join(dir, 'operator.key'), `${c.key('operator')}\n`);
});
afterAll(async () => {
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), stdin: async () => '', env: { PATCHPROOF_NOW: '2025-01-06' }, cwd: dir };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

describe('patchproof exception submit', () => {
  it('submits the request, then the approval; each is a commit, and an identical resubmission is not', async () => {
    const made = io();
    expect(await main(['new', 'exception', '--id', 'EXC-0007', '--requester', 'Alice Example', '--out', 'EXC-0007.yaml'], made.cli), made.err()).toBe(0);
    const file = join(dir, 'EXC-0007.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  - CVE-0000-00000', '  - x_PPDEMO-DEB-2026-0001'));

    const req = io();
    expect(await main(['exception', 'submit', 'EXC-0007.yaml', '--server', url, '--api-key-file', 'admin.key'], req.cli), req.err()).toBe(0);
    expect(req.out()).toMatch(/^exceptions\/EXC-0007\.yaml: created in commit [0-9a-f]{40}\n$/);

    const same = io();
    expect(await main(['exception', 'submit', 'EXC-0007.yaml', '--server', url, '--api-key-file', 'admin.key'], same.cli)).toBe(0);
    expect(same.out()).toBe('exceptions/EXC-0007.yaml: unchanged (identical to the committed file)\n');

    writeFileSync(file, readFileSync(file, 'utf8').replace('approver: null', 'approver: "Rita Riskowner"').replace('approved_at: null', 'approved_at: "2025-01-07"'));
    const approve = io();
    expect(await main(['exception', 'submit', 'EXC-0007.yaml', '--server', url, '--api-key-file', 'admin.key', '--json'], approve.cli), approve.err()).toBe(0);
    const answer = JSON.parse(approve.out());
    expect(answer).toMatchObject({ id: 'EXC-0007', created: false, changed: ['approved_at', 'approver'] });

    const stored = YAML.parse(new TextDecoder().decode((await c.sink.readFile('exceptions/EXC-0007.yaml'))!));
    expect(stored).toMatchObject({ id: 'EXC-0007', advisories: ['x_PPDEMO-DEB-2026-0001'], requested_by: 'Alice Example', approver: 'Rita Riskowner', approved_at: '2025-01-07', expires: '2025-03-07' });
    const audit = (await c.sink.reader.auditEntries()).filter((e) => e.target?.id === 'EXC-0007');
    expect(audit.map((e) => [e.action, e.actor.role])).toEqual([['exception.created', 'admin'], ['exception.updated', 'admin']]);
  });

  it('refuses an invalid file before sending it, and reports the collector’s refusal with its code', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'id: EXC-0008\ntitle: no hosts\n');
    const bad = io();
    expect(await main(['exception', 'submit', 'bad.yaml', '--server', url, '--api-key-file', 'admin.key'], bad.cli)).toBe(2);
    expect(bad.err()).toMatch(/^error CLI_FILE_INVALID: bad\.yaml does not match exception\.schema\.json/);

    const forbidden = io();
    expect(await main(['exception', 'submit', 'EXC-0007.yaml', '--server', url, '--api-key-file', 'operator.key'], forbidden.cli)).toBe(2);
    expect(forbidden.err()).toContain('collector: COL_FORBIDDEN:');
    expect(forbidden.err()).toContain('error CLI_SERVER_REFUSED: exception EXC-0007 was not committed (COL_FORBIDDEN)');

    const down = io();
    expect(await main(['exception', 'submit', 'EXC-0007.yaml', '--server', 'http://127.0.0.1:1', '--api-key-file', 'admin.key'], down.cli)).toBe(2);
    expect(down.err()).toMatch(/^error CLI_SERVER_UNREACHABLE:/);
  });
});

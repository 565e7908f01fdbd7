// Reproducibility: a second build from the same inputs (model, evidence repository, policies,
// key) gives byte-identical PDFs, CSVs and model, and the same pages. The first build renders
// its packs and CSVs in the build process, the second in a pack process: the same bytes.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureSite, sharedSite, type BuiltSite } from '../site/helpers/shared-site.ts';

let first: BuiltSite;
let second: BuiltSite;

beforeAll(async () => {
  first = await sharedSite();
  second = await buildFixtureSite(first.root, {
    key: { privateKeyArmored: first.privateKeyArmored, publicKeyArmored: first.publicKeyArmored, fingerprint: first.fingerprint },
    out: join(first.root, `rebuild-${process.pid}`),
    workers: 1,
  });
});
afterAll(() => rmSync(second.out, { recursive: true, force: true }));

const same = (rel: string) => expect(readFileSync(join(second.out, rel)).equals(readFileSync(join(first.out, rel))), rel).toBe(true);

describe('reproducible build', () => {
  it('packs, their signatures and SHA256SUMS are byte-identical', () => {
    const files = readdirSync(join(first.out, 'packs')).filter((f) => f !== 'index.html').sort();
    expect(readdirSync(join(second.out, 'packs')).filter((f) => f !== 'index.html').sort()).toEqual(files);
    expect(files.filter((f) => f.endsWith('.pdf'))).toHaveLength(4);
    for (const f of files) same(`packs/${f}`);
  });

  it('CSV exports and the model are byte-identical', () => {
    const files = readdirSync(join(first.out, 'exports')).filter((f) => f !== 'index.html').sort();
    expect(files).toEqual(expect.arrayContaining(['model.json', 'hosts.csv', 'findings.csv', 'patch-events.csv', 'exceptions.csv', 'coverage.csv', 'SHA256SUMS']));
    for (const f of files) same(`exports/${f}`);
  });

  it('pages are identical too', () => {
    for (const rel of ['index.html', 'hosts/index.html', `hosts/${first.model.hosts[0]!.host_id}/index.html`, 'verify/index.html', 'packs/index.html']) same(rel);
  });
});

// Crawls every page of the built fixture site over HTTP and checks that every internal link,
// stylesheet, script and fragment resolves, and that the downloads are the files they claim.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSite, type Served } from '../site/helpers/browser.ts';
import { crawl } from '../site/helpers/crawl.ts';
import { sharedSite, type BuiltSite } from '../site/helpers/shared-site.ts';

let site: BuiltSite;
let served: Served;

beforeAll(async () => {
  site = await sharedSite();
  served = await serveSite(site.out);
});
afterAll(async () => served?.close());

describe('link crawl', () => {
  it('every internal link on every page resolves, fragments included', async () => {
    const { pages, checked, broken } = await crawl(served.base);
    expect(broken).toEqual([]);
    expect(pages.length).toBeGreaterThan(site.model.hosts.length + 20);
    for (const h of site.model.hosts) expect(pages).toContain(`/hosts/${h.host_id}/`);
    expect([...checked.keys()].filter((p) => p.startsWith('/evidence/')).length).toBeGreaterThan(site.model.evidence_manifest.length);
  });

  it('CSV, model and PDF downloads are served as what they are', async () => {
    const csv = await fetch(`${served.base}/exports/hosts.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await csv.text();
    expect(text.split('\n')[0]).toMatch(/^host_id,hostname,/);
    expect(text.trim().split('\n')).toHaveLength(site.model.hosts.length + 1);
    const model = await fetch(`${served.base}/exports/model.json`);
    expect(JSON.parse(await model.text()).schema).toBe('patchproof.compliance-model/v1');
    const packs = await (await fetch(`${served.base}/packs/`)).text();
    const pdfLinks = [...packs.matchAll(/href="(\/packs\/[^"]+\.pdf)"/g)].map((m) => m[1] as string);
    expect(pdfLinks).toHaveLength(4);
    for (const link of pdfLinks) {
      const res = await fetch(`${served.base}${link}`);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }
    const sums = await fetch(`${served.base}/packs/SHA256SUMS`);
    expect(sums.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });
});

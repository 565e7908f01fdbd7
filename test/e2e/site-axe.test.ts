// Accessibility: axe-core in Chromium on each main page type; no serious or critical violations.
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, serveSite, type Served } from '../site/helpers/browser.ts';
import { sharedSite, type BuiltSite } from '../site/helpers/shared-site.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let site: BuiltSite;
let served: Served;
let browser: Browser;

beforeAll(async () => {
  site = await sharedSite();
  served = await serveSite(site.out);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }>;
}

describe('accessibility (axe-core)', () => {
  it('has no serious or critical violations on the main page types', async () => {
    const host = site.model.hosts.find((h) => h.open_findings > 0)!;
    const exc = site.model.exceptions[0]!;
    const pages = [
      '/', '/hosts/', `/hosts/${host.host_id}/`, '/controls/', '/controls/pci-dss/', '/controls/pci-dss/6-3-3/',
      '/policies/', '/policies/patch-management/1-2/', '/exceptions/', `/exceptions/${exc.id}/`, '/audit/',
      '/packs/', '/verify/', '/exports/', '/search/',
    ];
    const problems: string[] = [];
    const context = await browser.newContext();
    for (const path of pages) {
      const page = await context.newPage();
      await page.goto(`${served.base}${path}`);
      await page.addScriptTag({ path: AXE });
      // Runs in the page; written as a string so this file needs no DOM typings.
      const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as AxeResult;
      for (const v of result.violations) {
        if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${path}: ${v.id} (${v.impact}) ${v.help} — ${JSON.stringify(v.nodes.slice(0, 2).map((n) => n.target))}`);
      }
      await page.close();
    }
    await context.close();
    expect(problems).toEqual([]);
  });
});

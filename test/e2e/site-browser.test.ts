// The built fixture site in a real browser (Debian Chromium via playwright-core): the main page
// types render the model's facts, tables work with and without JavaScript, search works, and
// every page type opens without a console error or a failed request.
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slug } from '../../site/lib/site-data.ts';
import { launchChromium, serveSite, type Served } from '../site/helpers/browser.ts';
import { FIXTURE_HOSTS, sharedSite, type BuiltSite } from '../site/helpers/shared-site.ts';

let site: BuiltSite;
let served: Served;
let browser: Browser;
let context: BrowserContext;
/** Console errors, uncaught exceptions, failed requests and HTTP errors, on every page opened. */
const problems: string[] = [];

function watch(page: Page, path: string): void {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${path}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${path}: page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`${path}: request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${path}: HTTP ${r.status()}: ${r.url()}`);
  });
}

async function open(path: string, ctx: BrowserContext = context, waitUntil: 'load' | 'networkidle' = 'load'): Promise<Page> {
  const page = await ctx.newPage();
  watch(page, path);
  const res = await page.goto(`${served.base}${path}`, { waitUntil });
  expect(res?.status(), path).toBe(200);
  return page;
}

/** site/pages/hosts/[host].astro → /^\/hosts\/[^/]+\/$/: the addresses one page file builds. */
function routePattern(file: string): RegExp {
  const route = file.replace(/\.astro$/, '').replace(/(^|\/)index$/, '');
  if (route === '404') return /^\/404\.html$/;
  const parts = route.split('/').filter((x) => x !== '').map((x) => (/^\[.+\]$/.test(x) ? '[^/]+' : x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^/${parts.map((x) => `${x}/`).join('')}$`);
}

function pageFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? pageFiles(join(dir, d.name)) : d.name.endsWith('.astro') ? [join(dir, d.name)] : []));
}

beforeAll(async () => {
  site = await sharedSite();
  served = await serveSite(site.out);
  browser = await launchChromium();
  context = await browser.newContext();
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('site in Chromium', () => {
  it('overview: period, simulated banner, SLA table and the three charts', async () => {
    const page = await open('/');
    await expect(page.locator('h1').textContent()).resolves.toBe('Overview');
    await expect(page.locator('.banner-simulated').textContent()).resolves.toContain('Simulated data');
    await expect(page.locator('.site-header .period').textContent()).resolves.toContain(`${site.model.period.start} to ${site.model.period.end}`);
    const rows = await page.locator('#sla-table tbody tr th').allTextContents();
    expect(rows).toEqual(['Critical', 'High', 'Medium', 'Low', 'All classes']);
    expect(await page.locator('figure.chart svg[role="img"]').count()).toBe(3);
    const overall = site.model.metrics.overall.adherence_pct;
    await expect(page.locator('.cards').textContent()).resolves.toContain(`${overall?.toFixed(1)} %`);
    await page.close();
  });

  it('hosts: the table is complete, and sorts and filters with JavaScript', async () => {
    const page = await open('/hosts/');
    const table = page.locator('table[data-sortable]');
    expect(await table.locator('tbody tr').count()).toBe(FIXTURE_HOSTS);
    const firstHost = async () => (await table.locator('tbody tr:first-child td:first-child a').textContent())?.trim();
    const before = await firstHost();
    await table.locator('thead th:first-child button.sort').click();
    await table.locator('thead th:first-child button.sort').click();
    await expect(table.locator('thead th:first-child').getAttribute('aria-sort')).resolves.toBe('descending');
    expect(await firstHost()).not.toBe(before);
    const target = site.model.hosts[3]!;
    await page.locator('.table-tools input[type="search"]').fill(target.host_id);
    expect(await table.locator('tbody tr:not([hidden])').count()).toBe(1);
    await expect(page.locator('.table-count').textContent()).resolves.toBe(`1 of ${FIXTURE_HOSTS} rows shown`);
    await page.close();
  });

  it('hosts: without JavaScript the same complete table, no controls', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    const page = await open('/hosts/', noJs);
    expect(await page.locator('table tbody tr').count()).toBe(FIXTURE_HOSTS);
    expect(await page.locator('button.sort').count()).toBe(0);
    expect(await page.locator('.table-tools').count()).toBe(0);
    await noJs.close();
  });

  it('host page: identity, kernel, findings with SLA clocks, history and evidence links', async () => {
    const host = site.model.hosts.find((h) => h.kernel.reboot_required && h.latest_report)!;
    const page = await open(`/hosts/${host.host_id}/`);
    await expect(page.locator('h1').textContent()).resolves.toContain(host.hostname);
    await expect(page.locator('dl.facts').first().textContent()).resolves.toContain(host.host_id);
    await expect(page.locator('body').textContent()).resolves.toContain(host.kernel.installed_latest!);
    const events = site.model.patch_events.filter((e) => e.host_id === host.host_id);
    expect(await page.locator('.timeline table tbody tr').count()).toBe(events.length);
    const link = page.locator(`a[href="/evidence/${host.latest_report!.path}"]`).first();
    await expect(link.count()).resolves.toBeGreaterThan(0);
    const res = await page.request.get(`${served.base}/evidence/${host.latest_report!.path}.asc`);
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain('BEGIN PGP SIGNATURE');
    await page.close();
  });

  it('control page: status, explanation and evidence rows linking to hosts and findings', async () => {
    const page = await open('/controls/pci-dss/6-3-3/');
    const control = site.model.controls.find((c) => c.framework === 'pci-dss' && c.id === '6.3.3')!;
    await expect(page.locator('h1').textContent()).resolves.toContain('6.3.3');
    await expect(page.locator('main').textContent()).resolves.toContain(control.explanation);
    expect(await page.locator('#evidence-table tbody tr').count()).toBe(control.evidence.length);
    expect(await page.locator('#evidence-table a[href^="/hosts/"]').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('policy page: the MDX text under the page\'s one h1, and the SLA numbers the engine used', async () => {
    const page = await open('/policies/patch-management/1-2/');
    // The file's own "# Patch management (TEST FIXTURE)" repeats the page's h1: not shown again;
    // its sections sit one level below the "Policy text" heading.
    expect(await page.locator('h1').allTextContents()).toEqual([`${site.model.policies[0]!.title} version 1.2`]);
    expect(await page.locator('article.prose h1, article.prose h2').count()).toBe(0);
    await expect(page.locator('article.prose h3').first().textContent()).resolves.toBe('Purpose');
    const sla = await page.locator('#sla-table tbody').textContent();
    expect(sla).toContain('72 h (3 days)');
    expect(sla).toContain('2,160 h (90 days)');
    await expect(page.locator('p.note').first().textContent()).resolves.toContain('sha256 matches the model');
    await page.close();
  });

  it('input warnings: a notice on the overview, the list, and the policy page they concern', async () => {
    const [warning] = site.model.warnings!;
    expect(site.model.warnings).toHaveLength(1);
    const policy = site.model.policies.find((p) => p.file === warning!.file)!;
    const policyPath = `/policies/${slug(policy.id)}/${slug(policy.version)}/`;
    const page = await open('/');
    const notice = page.locator('#warnings-notice');
    await expect(notice.textContent()).resolves.toContain('1 problem with its inputs');
    await notice.getByRole('link', { name: 'Read the input warnings' }).click();
    await page.waitForURL('**/#warnings');
    await expect(page.getByRole('heading', { level: 2, name: 'Input warnings' }).isVisible()).resolves.toBe(true);
    const table = page.getByRole('table', { name: '1 input warning' });
    expect(await table.locator('tbody tr td').allTextContents()).toEqual([warning!.code, warning!.file, warning!.message]);
    await table.getByRole('link', { name: warning!.file }).click();
    await page.waitForURL(`**${policyPath}#warnings`);
    const own = page.getByRole('table', { name: `Input warnings about ${policy.file}` });
    expect(await own.locator('tbody tr td').allTextContents()).toEqual([warning!.code, warning!.message]);
    await expect(page.locator('main').textContent()).resolves.toContain('soc2 CC9.9 (not in the control catalog, see input warnings)');
    await page.close();
    const index = await open('/policies/');
    await expect(index.getByRole('link', { name: `1 input warning for ${policy.title} v${policy.version}` }).getAttribute('href')).resolves.toBe(`${policyPath}#warnings`);
    await index.close();
  });

  it('exception page: status, approver and the git history of the file', async () => {
    const exc = site.model.exceptions.find((e) => e.status === 'expired')!;
    const page = await open(`/exceptions/${exc.id}/`);
    await expect(page.locator('h1').textContent()).resolves.toContain('Expired');
    await expect(page.locator('#history-table').textContent()).resolves.toContain(exc.history[0]!.commit);
    await page.close();
  });

  it('exception history: beside each commit author, who made the change according to the audit log', async () => {
    const exc = site.model.exceptions.find((e) => e.status === 'active' && e.history.length === 2)!;
    const approval = site.model.audit.find((a) => a.target === `exception:${exc.id}`)!;
    expect(approval.actor).not.toBe(exc.history[1]!.author);
    const page = await open(`/exceptions/${exc.id}/`);
    const cells = (row: number) => page.locator(`#history-table tbody tr:nth-child(${row}) td`).allTextContents();
    const headers = await page.locator('#history-table thead th').allTextContents();
    expect(headers).toEqual(['When', 'Commit', 'Commit author', 'Changed by (audit log)', 'Message']);
    // The request was committed before the period, so its audit entry is not in this model.
    expect((await cells(1))[3]).toContain('before the period');
    const [, commit, author, actor] = await cells(2);
    expect([commit, author]).toEqual([exc.history[1]!.commit, exc.history[1]!.author]);
    expect(actor).toContain(approval.actor);
    expect(actor).toContain(`${approval.action} #${approval.seq}`);
    await page.locator('#history-table tbody tr:nth-child(2) a').click();
    await page.waitForURL(`**/audit/${approval.time.slice(0, 7)}/#audit-${approval.seq}`);
    const row = await page.locator(`tr#audit-${approval.seq} td`).allTextContents();
    expect(row.slice(2, 5)).toEqual([approval.actor, approval.action, approval.target]);
    await page.close();
  });

  it('verify page: fingerprints, validity windows and the exact commands', async () => {
    const page = await open('/verify/');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(site.fingerprint.replace(/(.{4})(?=.)/g, '$1 '));
    expect(text).toContain('gpg --verify SHA256SUMS.asc SHA256SUMS');
    expect(text).toContain(`git verify-commit`);
    await page.close();
  });

  it('exports page: every file the build wrote into exports/, each with a title', async () => {
    const written = readdirSync(join(site.out, 'exports')).filter((f) => f !== 'index.html' && !f.startsWith('SHA256SUMS') && !f.endsWith('.asc')).sort();
    expect(written).toContain('unjudged.csv');
    const page = await open('/exports/');
    const rows = await page.locator('main table tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')?.textContent?.trim() ?? '', tr.querySelector('td')?.textContent?.trim() ?? '']));
    expect(rows.map(([file]) => file).sort()).toEqual(written);
    // Without a title the build falls back to the file name.
    for (const [file, title] of rows) expect(title !== '' && title !== file, `${file} has no title`).toBe(true);
    await page.close();
  });

  it('search: Pagefind finds a host by name', async () => {
    const host = site.model.hosts[0]!;
    const page = await open('/search/');
    await page.locator('#search-q').fill(host.hostname.split('.')[0]!);
    await page.locator('#search-form button[type="submit"]').click();
    await expect.poll(async () => page.locator('#search-results li').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const hrefs = await page.locator('#search-results li a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toContain(`/hosts/${host.host_id}/`);
    await page.close();
  });

  it('prints as a workpaper: no navigation or table controls, charts kept', async () => {
    const page = await open('/');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-nav').isVisible()).toBe(false);
    expect(await page.locator('.table-tools').first().isVisible()).toBe(false);
    expect(await page.locator('figure.chart svg').first().isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await page.close();
  });

  it('every page type opens with no console error and no failed request', async () => {
    const m = site.model;
    const control = m.controls.find((c) => c.framework === 'iso27001')!;
    const policy = m.policies[0]!;
    const paths = [
      '/', '/hosts/', `/hosts/${m.hosts[0]!.host_id}/`,
      '/controls/', '/controls/soc2/', `/controls/iso27001/${slug(control.id)}/`,
      '/policies/', `/policies/${slug(policy.id)}/${slug(policy.version)}/`,
      '/exceptions/', `/exceptions/${m.exceptions[0]!.id}/`,
      '/audit/', `/audit/${m.audit[0]!.time.slice(0, 7)}/`,
      '/packs/', '/verify/', '/exports/', '/search/', '/404.html',
    ];
    // Every page file of the site is among them, so a new page type cannot be left out.
    const pagesDir = resolve(import.meta.dirname, '../../site/pages');
    for (const file of pageFiles(pagesDir).map((f) => relative(pagesDir, f))) {
      expect(paths.some((p) => routePattern(file).test(p)), `no page opened for site/pages/${file}`).toBe(true);
    }
    const before = problems.length;
    for (const path of paths) {
      const page = await open(path, context, 'networkidle');
      // Exactly one h1, in main, with text: the policy text's own title must not add a second.
      expect(await page.locator('h1').count(), path).toBe(1);
      expect((await page.locator('main h1').textContent())?.trim(), path).toBeTruthy();
      await page.close();
    }
    expect(problems.slice(before)).toEqual([]);
  });

  it('no page opened by any test logged a console error or had a failed request', () => {
    expect(problems).toEqual([]);
  });
});

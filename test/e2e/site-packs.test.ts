// The signed PDF evidence packs with stock tools: pdfinfo/pdftotext show the sections, the
// model's numbers and the overview charts in the executive summary, gpg verifies every .asc and
// SHA256SUMS.asc, and sha256sum -c passes.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overviewCharts } from '../../site/lib/charts/overview-charts.ts';
import { fmtPct } from '../../site/lib/format.ts';
import { PACK_SECTIONS } from '../../site/lib/pdf/pack.ts';
import { gpgHomeWith, type GpgHome } from '../site/helpers/gpg.ts';
import { sharedSite, type BuiltSite } from '../site/helpers/shared-site.ts';

let site: BuiltSite;
let gpg: GpgHome;
let packsDir: string;

beforeAll(async () => {
  site = await sharedSite();
  packsDir = join(site.out, 'packs');
  gpg = gpgHomeWith(site.publicKeyArmored);
});
afterAll(() => gpg?.close());

const pdfs = () => readdirSync(packsDir).filter((f) => f.endsWith('.pdf')).sort();
const text = (file: string) => execFileSync('pdftotext', ['-layout', join(packsDir, file), '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
/** The pages of the executive summary: from its heading's page up to the page the controls start on. */
function summaryPages(file: string): string {
  const pages = text(file).split('\f');
  const first = (page: string) => page.split('\n').find((l) => l.trim() !== '')?.trim();
  const start = pages.findIndex((pg) => first(pg) === 'Executive summary');
  const end = pages.findIndex((pg, i) => i > start && first(pg) === 'Controls');
  expect([start, end].every((i) => i > 0), `summary pages ${start}..${end}`).toBe(true);
  return pages.slice(start, end).join('\n');
}
const svgTexts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));

describe('evidence packs', () => {
  it('one pack per framework, with deterministic metadata', () => {
    expect(pdfs()).toEqual(['hipaa', 'iso27001', 'pci-dss', 'soc2'].map((f) => `evidence-pack-${f}-${site.model.period.start}-to-${site.model.period.end}.pdf`));
    const info = execFileSync('pdfinfo', [join(packsDir, pdfs()[2]!)], { encoding: 'utf8' });
    expect(info).toMatch(/Title:\s+PCI DSS 4\.0\.1 evidence pack/);
    expect(info).toMatch(/CreationDate:\s+Thu Jan\s+1 00:00:00 2026 UTC/);
    expect(info).toMatch(/Producer:\s+patchproof \(pdfmake\)/);
    expect(Number(/Pages:\s+(\d+)/.exec(info)?.[1])).toBeGreaterThan(8);
  });

  it('shows the cover, every section and the model’s numbers', () => {
    const t = text(pdfs()[2]!);
    const flat = t.replace(/\s+/g, ' ');
    expect(flat).toContain('SIMULATED DATA');
    expect(flat).toContain(site.model.organisation);
    expect(flat).toContain(`Generated at 2026-01-01 00:00 UTC`);
    expect(flat).toContain(site.model.inputs.repo_commit!);
    expect(flat).toContain(site.fingerprint.replace(/(.{4})(?=.)/g, '$1 '));
    for (const section of PACK_SECTIONS) expect(flat, section).toContain(section);
    for (const c of site.model.controls.filter((c) => c.framework === 'pci-dss')) expect(flat).toContain(`${c.id} — ${c.title}`);
    expect(flat).toContain(fmtPct(site.model.metrics.overall.adherence_pct));
    const inScope = site.model.hosts.filter((h) => h.meta.in_scope && h.status !== 'decommissioned');
    expect(flat).toContain(`${inScope.length} hosts were in scope`);
    expect(flat).toContain(`${site.model.patch_events.length} package changes were recorded`);
    expect(flat).toContain(`${site.model.evidence_manifest.length} evidence files at commit`);
    for (const e of site.model.evidence_manifest.slice(0, 5)) expect(flat).toContain(e.sha256);
    for (const e of site.model.exceptions) expect(flat).toContain(e.id);
    expect(flat).toContain('72 h (3 days)');
  });

  it('embeds the overview charts in the executive summary: titles, descriptions, axis labels and values', () => {
    const charts = overviewCharts(site.model);
    expect(charts.map((c) => c.spec.title)).toEqual(['SLA adherence over time', 'Time to remediate', 'Open findings by age']);
    for (const pdf of pdfs()) {
      const summary = summaryPages(pdf);
      const flat = summary.replace(/\s+/g, ' ');
      let at = -1;
      for (const { spec, chart } of charts) {
        // In the order of the overview page, each title followed by its chart and its description.
        const title = flat.indexOf(`${spec.title} `, at + 1);
        expect(title, `${pdf}: ${spec.title}`).toBeGreaterThan(at);
        const description = flat.indexOf(spec.description, title);
        expect(description, `${pdf}: ${spec.id} description`).toBeGreaterThan(title);
        // The x axis reads as one line of labels, left to right.
        expect(flat.slice(title, description), `${pdf}: ${spec.id} x labels`).toContain(spec.points.map((p) => p.label).join(' '));
        // Every text the SVG draws (gridline values, labels, bar and point values, the unit) was
        // embedded as text, between the title and the description.
        const texts = svgTexts(chart.svg);
        expect(texts.length).toBeGreaterThan(spec.points.length);
        for (const t of texts) expect(flat.slice(title, description), `${pdf}: ${spec.id} text ${JSON.stringify(t)}`).toContain(t);
        expect(texts).toContain(spec.unit);
        at = description;
      }
    }
  });

  it('every pack signature and SHA256SUMS.asc verifies with gpg', () => {
    for (const pdf of pdfs()) {
      const r = gpg.verify(join(packsDir, `${pdf}.asc`), join(packsDir, pdf));
      expect(r.status, r.output).toBe(0);
      expect(r.output).toContain(`VALIDSIG ${site.fingerprint}`);
    }
    const sums = gpg.verify(join(packsDir, 'SHA256SUMS.asc'), join(packsDir, 'SHA256SUMS'));
    expect(sums.status, sums.output).toBe(0);
    const exportsDir = join(site.out, 'exports');
    expect(gpg.verify(join(exportsDir, 'SHA256SUMS.asc'), join(exportsDir, 'SHA256SUMS')).status).toBe(0);
  });

  it('sha256sum -c SHA256SUMS passes for packs and exports', () => {
    for (const dir of [packsDir, join(site.out, 'exports')]) {
      const r = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n').every((l) => l.endsWith(': OK'))).toBe(true);
    }
  });

  it('a tampered pack fails both checks', () => {
    const copy = join(gpg.dir, 'tampered.pdf');
    execFileSync('sh', ['-c', `cp "${join(packsDir, pdfs()[0]!)}" "${copy}" && printf '%%%% tampered\\n' >> "${copy}"`]);
    expect(gpg.verify(join(packsDir, `${pdfs()[0]}.asc`), copy).status).not.toBe(0);
  });
});

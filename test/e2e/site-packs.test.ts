// The signed PDF evidence packs with stock tools: pdfinfo/pdftotext show the sections and the
// model's numbers, gpg verifies every .asc and SHA256SUMS.asc, and sha256sum -c passes.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

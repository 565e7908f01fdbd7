// Packs in-process: the same model renders byte-identical PDFs (fixed metadata dates, no wall
// clock), pdfmake may reach no URL and no local file but its fonts, and long listings are
// ledgers that pdftotext can read back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderPack } from '../../site/lib/pdf/pack.ts';
import { renderPdf } from '../../site/lib/pdf/pdfmake.ts';
import { indexModel } from '../../site/lib/site-data.ts';
import { makeFixture } from './fixtures/make-model.ts';

const tmp = mkdtempSync(join(tmpdir(), 'pp-pdf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const INFO = { title: 't', author: 'a', subject: 's' };

describe('pdf packs', () => {
  it('the same model gives byte-identical packs, dated at the model’s as-of instant', async () => {
    const data = indexModel(makeFixture({ hosts: 6 }).model);
    const a = await renderPack({ data, framework: 'iso27001', signerFingerprint: 'A'.repeat(40) });
    const b = await renderPack({ data: indexModel(makeFixture({ hosts: 6 }).model), framework: 'iso27001', signerFingerprint: 'A'.repeat(40) });
    expect(a.equals(b)).toBe(true);
    writeFileSync(join(tmp, 'a.pdf'), a);
    expect(execFileSync('pdfinfo', [join(tmp, 'a.pdf')], { encoding: 'utf8' })).toMatch(/CreationDate:\s+Thu Jan\s+1 00:00:00 2026 UTC/);
    const c = await renderPack({ data, framework: 'iso27001', signerFingerprint: 'B'.repeat(40) });
    expect(c.equals(a)).toBe(false);
  });

  it('ledgers line up in Courier and survive pdftotext', async () => {
    const { model } = makeFixture({ hosts: 4 });
    const pdf = await renderPack({ data: indexModel(model), framework: 'soc2', signerFingerprint: null });
    writeFileSync(join(tmp, 'b.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-layout', join(tmp, 'b.pdf'), '-'], { encoding: 'utf8' });
    const e = model.evidence_manifest[0]!;
    expect(text).toMatch(new RegExp(`${e.sha256}\\s+${e.path.replace(/[.]/g, '\\.')}`));
    expect(execFileSync('pdffonts', [join(tmp, 'b.pdf')], { encoding: 'utf8' })).toMatch(/Courier/);
    expect(text).toContain('unsigned build');
  });

  it('refuses remote images and local files other than its fonts', async () => {
    await expect(renderPdf({ content: [{ image: 'https://example.invalid/x.png' }], info: INFO }, new Date(0))).rejects.toMatchObject({ code: 'SITE_PDF_FAILED' });
    await expect(renderPdf({ content: [{ image: '/etc/hostname' }], info: INFO }, new Date(0))).rejects.toMatchObject({ code: 'SITE_PDF_FAILED' });
  });
});

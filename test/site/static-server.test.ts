// The static server behind `patchproof serve`: content types, directory pages, 404 page, and no
// way out of the site folder (dot-dot, encoded dot-dot, backslashes, NUL, symlinks).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentType } from '../../site/lib/serve/content-types.ts';
import { createStaticServer, safeSegments } from '../../site/lib/serve/static-server.ts';

const tmp = mkdtempSync(join(tmpdir(), 'pp-serve-'));
const root = join(tmp, 'site');
let port = 0;
const server = (() => {
  mkdirSync(join(root, 'hosts', 'h_1'), { recursive: true });
  mkdirSync(join(root, 'packs'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(join(root, '404.html'), '<!doctype html><title>not found</title>');
  writeFileSync(join(root, 'hosts', 'h_1', 'index.html'), 'host page');
  writeFileSync(join(root, 'packs', 'SHA256SUMS'), 'abc  x.pdf\n');
  writeFileSync(join(root, 'packs', 'x.pdf'), '%PDF-1.3');
  writeFileSync(join(root, 'packs', 'x.pdf.asc'), '-----BEGIN PGP SIGNATURE-----');
  writeFileSync(join(tmp, 'secret.txt'), 'outside the site');
  symlinkSync(join(tmp, 'secret.txt'), join(root, 'escape.txt'));
  return createStaticServer({ root });
})();

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

/** Raw request (fetch would normalise "../" away before sending). */
function get(path: string, method = 'GET'): Promise<{ status: number; type: string; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body, ...(res.headers.location ? { location: res.headers.location } : {}) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static server', () => {
  it('serves pages, directory indexes and files with their content types', async () => {
    expect(await get('/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(await get('/hosts/h_1/')).toMatchObject({ status: 200, body: 'host page' });
    expect(await get('/hosts/h_1')).toMatchObject({ status: 301, location: '/hosts/h_1/' });
    expect(await get('/packs/x.pdf')).toMatchObject({ status: 200, type: 'application/pdf' });
    expect(await get('/packs/x.pdf.asc')).toMatchObject({ status: 200, type: 'text/plain; charset=utf-8' });
    expect(await get('/packs/SHA256SUMS')).toMatchObject({ status: 200, type: 'text/plain; charset=utf-8' });
    expect(await get('/packs/x.pdf', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('answers unknown paths with the 404 page and refuses other methods', async () => {
    expect(await get('/nope/')).toMatchObject({ status: 404, body: expect.stringContaining('not found') });
    expect((await get('/', 'POST')).status).toBe(405);
  });

  it('never serves a file outside the site folder', async () => {
    for (const path of ['/../secret.txt', '/hosts/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%5csecret.txt', '/x%00.html', '/%ff']) {
      const res = await get(path);
      expect([400, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain('outside the site');
    }
    const link = await get('/escape.txt');
    expect(link.status).toBe(404);
    expect(link.body).not.toContain('outside the site');
  });

  it('splits paths into safe segments or refuses them', () => {
    expect(safeSegments('/a/./b/')).toEqual(['a', 'b']);
    expect(safeSegments('/a/../b')).toBeNull();
    expect(safeSegments('/%2e%2e/b')).toBeNull();
    expect(safeSegments('/a%5cb')).toBeNull();
    expect(safeSegments('/a%00')).toBeNull();
    expect(safeSegments('/%E0%A4%A')).toBeNull();
  });

  it('knows the content types of everything a site holds', () => {
    expect(contentType('a/b.csv')).toBe('text/csv; charset=utf-8');
    expect(contentType('pagefind/wasm.en.pagefind')).toBe('application/octet-stream');
    expect(contentType('x.wasm')).toBe('application/wasm');
    expect(contentType('keys/ABC.asc')).toBe('text/plain; charset=utf-8');
    expect(contentType('exceptions/EXC-0001.yaml')).toBe('text/plain; charset=utf-8');
    expect(contentType('_astro/a.css')).toBe('text/css; charset=utf-8');
  });
});

// collector/ may import only evidence/ (DESIGN.md, layer rules) and, of course, itself.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('collector layer boundary', () => {
  it('imports nothing of ours outside collector/ and evidence/', () => {
    const offending: string[] = [];
    let seen = 0;
    for (const file of files(join(ROOT, 'collector'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
        seen++;
        const target = relative(ROOT, resolve(file, '..', (m[1] ?? m[2])!));
        if (!target.startsWith('collector/') && !target.startsWith('evidence/')) offending.push(`${relative(ROOT, file)} → ${target}`);
      }
    }
    expect(seen).toBeGreaterThan(100);
    expect(offending).toEqual([]);
  });
});

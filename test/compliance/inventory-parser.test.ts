// InventoryParser reads successive packages.tsv versions exactly as parsePackagesTsv does, and
// shares the Package objects of lines a version repeats from the one parsed before it.
import { describe, expect, it } from 'vitest';
import { parsePackagesTsv, renderPackagesTsv } from '../../evidence/packages-tsv.ts';
import type { Package } from '../../evidence/types.gen.ts';
import { seededRandom } from '../../cli/demo/rng.ts';
import { InventoryParser } from '../../compliance/inventory-parser.ts';
import { readFileSync } from 'node:fs';
import { fixturePath } from './fixtures.ts';

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

/** The real Debian 12 host's dpkg-query.tsv: Package, Version, Architecture, source, source version, status. */
function realInventory(): Package[] {
  const text = readFileSync(fixturePath('inventories/debian-12-local-host/dpkg-query.tsv'), 'utf8');
  return text.split('\n').filter((l) => l !== '').map((line) => {
    const [name = '', version = '', arch = '', source = '', sourceVersion = ''] = line.split('\t');
    return { name, arch, version, source: source || name, source_version: sourceVersion || version };
  });
}

describe('InventoryParser', () => {
  it('parses the real Debian 12 inventory as parsePackagesTsv does', () => {
    const text = renderPackagesTsv(realInventory());
    const parsed = new InventoryParser(new Map()).parse(bytes(text));
    expect(parsed.length).toBeGreaterThan(300);
    expect(parsed).toEqual(parsePackagesTsv(text));
  });

  it('shares unchanged lines with the previous version and decodes only the changed ones', () => {
    const v1 = realInventory();
    const v2 = v1.map((p, i) => (i === 10 ? { ...p, version: `${p.version}+1`, source_version: `${p.source_version}+1` } : p)).filter((_, i) => i !== 20);
    v2.push({ name: 'zzz-new-package', arch: 'amd64', version: '1.0-1', source: 'zzz-new-package', source_version: '1.0-1' });
    const parser = new InventoryParser(new Map());
    const a = parser.parse(bytes(renderPackagesTsv(v1)));
    const b = parser.parse(bytes(renderPackagesTsv(v2)));
    expect(b).toEqual(parsePackagesTsv(renderPackagesTsv(v2)));
    const shared = b.filter((p) => a.includes(p)).length;
    expect(shared).toBe(b.length - 2);
    expect(a).not.toContain(b.find((p) => p.name === 'zzz-new-package'));
    expect(a).not.toContain(b.find((p) => p.name === v1[10]!.name));
  });

  it('reads header, blank lines, missing source columns and text without a final newline', () => {
    const text = '#name\tarch\tversion\tsource\tsource_version\n\nb\tall\t2\nä-pkg\tamd64\t1:1.0~rc1-1\tsrc\t1.0\na\tamd64\t1';
    const parsed = new InventoryParser(new Map()).parse(bytes(text));
    expect(parsed).toEqual(parsePackagesTsv(text));
    expect(parsed[0]).toEqual({ name: 'b', arch: 'all', version: '2', source: 'b', source_version: '2' });
  });

  it('never takes a line for one whose decoded characters equal its raw bytes', () => {
    // "Ã©" decoded from C3 83 C2 A9 has the char codes C3 A9, which are the UTF-8 bytes of "é".
    const parser = new InventoryParser(new Map());
    const a = parser.parse(bytes('Ã©\tall\t1\tÃ©\t1\n'));
    const b = parser.parse(bytes('é\tall\t1\té\t1\n'));
    expect(a[0]!.name).toBe('Ã©');
    expect(b[0]!.name).toBe('é');
    expect(parser.parse(bytes('é\tall\t1\té\t1\n'))[0]).toEqual(b[0]);
  });

  it('stays correct when versions come out of order (nothing shared wrongly)', () => {
    const v1 = realInventory();
    const v2 = v1.slice(5);
    const parser = new InventoryParser(new Map());
    parser.parse(bytes(renderPackagesTsv(v2)));
    const again = parser.parse(bytes(renderPackagesTsv(v1)));
    expect(again).toEqual(parsePackagesTsv(renderPackagesTsv(v1)));
  });

  it('interns names and versions across hosts that share a string table', () => {
    const strings = new Map<string, string>();
    const text = renderPackagesTsv(realInventory());
    const a = new InventoryParser(strings).parse(bytes(text));
    const b = new InventoryParser(strings).parse(bytes(text));
    expect(a[0]).not.toBe(b[0]);
    expect(a[0]!.name).toBe(b[0]!.name);
    expect(strings.size).toBeGreaterThan(0);
  });

  it('agrees with parsePackagesTsv over a long run of random edits (seeded)', () => {
    const rnd = seededRandom(7);
    let current = realInventory().slice(0, 200);
    const parser = new InventoryParser(new Map());
    for (let round = 0; round < 300; round++) {
      const next = [...current];
      for (let e = Math.floor(rnd() * 4); e >= 0; e--) {
        const at = Math.floor(rnd() * next.length);
        const r = rnd();
        if (r < 0.3 && next.length > 1) next.splice(at, 1);
        else if (r < 0.6) next.splice(at, 0, { name: `${next[at]?.name ?? 'p'}-x${round}`, arch: 'amd64', version: `${round}.${e}`, source: 'src', source_version: '1' });
        else if (r < 0.8) next[at] = { ...next[at]!, version: `${next[at]!.version}+${round}`, source_version: r < 0.7 ? 'ä1' : next[at]!.source_version };
        // A line that only grows at its end: the old one is a prefix of it.
        else next[at] = { ...next[at]!, source_version: `${next[at]!.source_version}.${round}` };
      }
      next.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
      // Some versions out of order, with blank lines or without the final newline.
      const v = rnd() < 0.1 ? next.slice().reverse() : next;
      let text = renderPackagesTsv(v);
      if (rnd() < 0.2) text = text.replace(/\n$/, '');
      if (rnd() < 0.1) text = text.replace('\n', '\n\n');
      expect(parser.parse(bytes(text))).toEqual(parsePackagesTsv(text));
      current = next;
    }
  });
});

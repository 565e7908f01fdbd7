// The layer rules of docs/design.md §1, enforced: each folder may import only the layers listed,
// and each heavy dependency has exactly one adapter.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const LAYERS = ['evidence', 'agent', 'collector', 'compliance', 'site', 'cli'] as const;
type Layer = (typeof LAYERS)[number];

const ALLOWED: Record<Layer, readonly Layer[]> = {
  evidence: [],
  agent: ['evidence'],
  collector: ['evidence'],
  compliance: ['evidence'],
  site: ['compliance', 'evidence'],
  cli: ['evidence', 'agent', 'collector', 'compliance', 'site'],
};

/** The agent ships as one small bundle: it may use only these evidence modules. */
const AGENT_EVIDENCE_MODULES = new Set([
  'evidence/errors.ts',
  'evidence/schema.ts',
  'evidence/types.gen.ts',
  'evidence/packages-tsv.ts',
  'evidence/pending-list.ts',
  'evidence/hash.ts',
  'evidence/canonical-json.ts',
]);

/** Heavy dependencies and the only files allowed to import them. */
const ADAPTERS: Record<string, (file: string) => boolean> = {
  openpgp: (f) => f === 'evidence/sign.ts',
  'isomorphic-git': (f) => /^evidence\/git-[a-z-]+\.ts$/.test(f),
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|mts|mjs|js|astro|mdx)$/.test(name)) out.push(full);
  }
  return out;
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

export function importsOf(text: string): string[] {
  const specs: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec) specs.push(spec);
  }
  return specs;
}

function layerOf(repoRelative: string): string {
  return repoRelative.split('/')[0] ?? '';
}

describe('layer boundaries', () => {
  const files = LAYERS.flatMap((layer) => sourceFiles(join(ROOT, layer)).map((f) => ({ layer, file: f })));

  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('parses static, re-export and dynamic imports', () => {
    const text = "import a from './a.ts';\nexport { b } from \"../b.ts\";\nconst c = await import('../c.ts');\nimport './side.ts';";
    expect(importsOf(text)).toEqual(['./a.ts', '../b.ts', '../c.ts', './side.ts']);
  });

  it('no layer imports what docs/design.md forbids', () => {
    const violations: string[] = [];
    for (const { layer, file } of files) {
      const rel = relative(ROOT, file).split(sep).join('/');
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = relative(ROOT, resolve(dirname(file), spec)).split(sep).join('/');
          const targetLayer = layerOf(target);
          if (targetLayer === layer) continue;
          if (!(LAYERS as readonly string[]).includes(targetLayer)) {
            violations.push(`${rel} imports ${spec}: outside the layers`);
          } else if (!ALLOWED[layer].includes(targetLayer as Layer)) {
            violations.push(`${rel} imports ${spec}: ${layer}/ may not import ${targetLayer}/`);
          } else if (layer === 'agent' && !AGENT_EVIDENCE_MODULES.has(target)) {
            violations.push(`${rel} imports ${spec}: the agent may use only evidence's protocol, schema and error modules`);
          }
        } else {
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          const adapter = ADAPTERS[pkg];
          if (adapter && !adapter(rel)) violations.push(`${rel} imports ${pkg}: only its adapter may`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});

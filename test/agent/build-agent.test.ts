// The bundle must run with nothing but Node: built into a directory with no node_modules above it,
// it collects, validates with the bundled ajv against the inlined schemas and knows its version.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAgent } from '../../scripts/build-agent.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('scripts/build-agent.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles collect + schema validation into one self-contained file', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      [
        `import { collect } from ${JSON.stringify(join(ROOT, 'agent/collect.ts'))};`,
        `import { dpkgSource } from ${JSON.stringify(join(ROOT, 'agent/sources/dpkg.ts'))};`,
        `import { check } from ${JSON.stringify(join(ROOT, 'evidence/schema.ts'))};`,
        'const { body } = await collect({ sources: [dpkgSource({ pending: false })] });',
        'const bad = { ...body, hostname: "not a hostname!" };',
        'console.log(JSON.stringify({ valid: check("reportBody", body), invalid: check("reportBody", bad), version: body.agent_version, count: body.inventory_count }));',
      ].join('\n'),
    );
    const out = join(dir, 'bundle', 'agent.mjs');
    const r = await buildAgent({ entry, outfile: out });
    expect(r.bytes).toBeGreaterThan(100_000);
    expect(r.version).toBe(VERSION);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toMatch(/from ["']ajv["']|require\(["']ajv["']\)/);
    const result = JSON.parse(execFileSync(NODE, [out], { cwd: dir, encoding: 'utf8' })) as { valid: unknown; invalid: unknown; version: string; count: number };
    expect(result.valid).toBeNull();
    expect(result.invalid).toMatch(/hostname/);
    expect(result.version).toBe(VERSION);
    expect(result.count).toBeGreaterThan(100);
  });

  it.runIf(existsSync(join(ROOT, 'agent/main.ts')))('bundles the agent entry point, which starts', async () => {
    const out = join(dir, 'dist', 'patchproof-agent.mjs');
    await buildAgent({ outfile: out });
    const help = execFileSync(NODE, [out, 'help'], { cwd: dir, encoding: 'utf8' });
    expect(help).toMatch(/collect/);
  });
});

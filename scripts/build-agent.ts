// Bundles the agent into one ESM file that needs only Node ≥ 22 on the host: every dependency
// (ajv, ws, …) inlined, the JSON schemas evidence/schema.ts reads at runtime inlined, the version set.
//   node scripts/build-agent.ts [--entry agent/main.ts] [--out dist/patchproof-agent.mjs] [--minify]
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const SCHEMA_DIR = join(ROOT, 'evidence/schemas');
const SCHEMA_MODULE = join(ROOT, 'evidence/schema.ts');

export interface BuildAgentOptions {
  readonly entry?: string;
  readonly outfile?: string;
  readonly minify?: boolean;
}

export interface BuildAgentResult {
  readonly outfile: string;
  readonly bytes: number;
  readonly version: string;
}

/**
 * evidence/schema.ts reads schemas/*.json with readFileSync next to itself; in the bundle there is
 * no such directory. Its `node:fs` import is served by a shim that answers those reads from the
 * inlined files and passes every other call through to the real node:fs.
 */
function inlineSchemas(seen: { hit: boolean }): Plugin {
  return {
    name: 'patchproof-inline-schemas',
    setup(b) {
      b.onResolve({ filter: /^(node:)?fs$/ }, (args) => {
        if (resolve(args.importer) !== SCHEMA_MODULE) return undefined;
        seen.hit = true;
        return { path: 'schema-fs', namespace: 'patchproof-schemas' };
      });
      b.onLoad({ filter: /.*/, namespace: 'patchproof-schemas' }, () => {
        const files: Record<string, string> = {};
        for (const name of readdirSync(SCHEMA_DIR).filter((n) => n.endsWith('.json')).sort()) {
          files[name] = readFileSync(join(SCHEMA_DIR, name), 'utf8');
        }
        return {
          loader: 'js',
          resolveDir: dirname(SCHEMA_MODULE),
          contents: [
            "import * as realFs from 'node:fs';",
            "export * from 'node:fs';",
            `const FILES = ${JSON.stringify(files)};`,
            'export function readFileSync(path, options) {',
            "  const p = path instanceof URL ? path.pathname : String(path);",
            "  const name = p.slice(p.lastIndexOf('/') + 1);",
            "  if (p.includes('/schemas/') && Object.prototype.hasOwnProperty.call(FILES, name)) {",
            "    const text = FILES[name];",
            "    return typeof options === 'string' || (options && options.encoding) ? text : Buffer.from(text, 'utf8');",
            '  }',
            '  return realFs.readFileSync(path, options);',
            '}',
          ].join('\n'),
        };
      });
    },
  };
}

export async function buildAgent(options: BuildAgentOptions = {}): Promise<BuildAgentResult> {
  const entry = resolve(ROOT, options.entry ?? 'agent/main.ts');
  const outfile = resolve(ROOT, options.outfile ?? 'dist/patchproof-agent.mjs');
  const version = String((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  const seen = { hit: false };
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: options.minify ?? false,
    legalComments: 'inline',
    metafile: true,
    logLevel: 'warning',
    // ws loads these native speed-ups inside try/catch; without them it uses its JS code paths
    external: ['bufferutil', 'utf-8-validate'],
    define: { PATCHPROOF_AGENT_VERSION: JSON.stringify(version) },
    // bundled CommonJS (ajv, ws) calls require() for node built-ins; ESM has none, so provide one
    banner: { js: "import { createRequire as __ppCreateRequire } from 'node:module';\nconst require = __ppCreateRequire(import.meta.url);" },
    plugins: [inlineSchemas(seen)],
  });
  const usesSchemas = Object.keys(result.metafile.inputs).some((f) => resolve(ROOT, f) === SCHEMA_MODULE);
  if (usesSchemas && !seen.hit) throw new Error('evidence/schema.ts no longer imports node:fs: update the schema-inlining plugin in scripts/build-agent.ts');
  const out = Object.entries(result.metafile.outputs).find(([f]) => resolve(ROOT, f) === outfile);
  return { outfile, bytes: out?.[1].bytes ?? 0, version };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { entry: { type: 'string' }, out: { type: 'string' }, minify: { type: 'boolean' } } });
  const r = await buildAgent({ ...(values.entry ? { entry: values.entry } : {}), ...(values.out ? { outfile: values.out } : {}), ...(values.minify ? { minify: true } : {}) });
  process.stdout.write(`${r.outfile}: ${(r.bytes / 1024).toFixed(0)} KiB, agent ${r.version}\n`);
}

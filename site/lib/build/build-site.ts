// The whole site build from a model file: CSV exports and signed PDF packs into a staging
// folder, the Astro pages into the output folder, then the exports, packs, evidence files and
// keys beside them, and the Pagefind index last. One function, progress reported per phase.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { renderCsvExports } from '../../../compliance/export-csv.ts';
import { checkCompliance } from '../../../compliance/model-schema.ts';
import type { Downloads } from '../downloads.ts';
import { siteError } from '../errors.ts';
import { parseModel } from '../model.ts';
import type { ComplianceModel } from '../model-types.ts';
import { indexModel } from '../site-data.ts';
import { exportsDir, packsDir } from '../urls.ts';
import { astroBuild, PROJECT_ROOT } from './astro-build.ts';
import { writeArtifact, writeChecksums, type Artifact, type ArtifactSigner } from './checksums.ts';
import { copyEvidence, type CopyEvidenceResult } from './copy-evidence.ts';
import { writePacks, type PackArtifact } from './packs.ts';
import { buildSearchIndex } from './search-index.ts';

export interface BuildSiteOptions {
  /** The model as `patchproof evaluate` wrote it; published byte for byte as exports/model.json. */
  modelFile: string;
  outDir: string;
  /** The evidence repository the model was judged from. */
  repoDir: string;
  /** The policies folder the model was judged with. */
  policiesDir: string;
  signer?: ArtifactSigner | null;
  /** Signature time for packs and checksums; default the signer's clock. */
  signDate?: Date;
  packs?: boolean;
  search?: boolean;
  workers?: number;
  log?: (line: string) => void;
  astroLogLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export interface BuildSiteReport {
  outDir: string;
  packs: PackArtifact[];
  exports: Artifact[];
  evidence: CopyEvidenceResult;
  searchPages: number;
  timings: Record<string, number>;
}

const EXPORT_TITLES: Record<string, string> = {
  'model.json': 'The compliance model (canonical JSON): every figure on this site',
  'hosts.csv': 'Host inventory with status',
  'findings.csv': 'Findings with SLA clocks and evidence',
  'patch-events.csv': 'Package changes with the reports that recorded them',
  'exceptions.csv': 'Exceptions with approvers and status',
  'coverage.csv': 'Evidence coverage by month',
};

/** Moves every file of `from` into `to` (which may already hold the page of the same name). */
function moveInto(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) renameSync(join(from, name), join(to, name));
}

interface StagedFolder {
  files: Artifact[];
  sums: Artifact | null;
}

/** exports/: the model byte for byte, the CSVs, and SHA256SUMS (signed when there is a signer). */
async function stageExports(dir: string, modelBytes: Buffer, model: ComplianceModel, signer: ArtifactSigner | null, signDate?: Date): Promise<StagedFolder> {
  mkdirSync(dir, { recursive: true });
  const files: Artifact[] = [await writeArtifact(dir, 'model.json', modelBytes, null)];
  const csv = renderCsvExports(model);
  for (const name of Object.keys(csv).sort()) files.push(await writeArtifact(dir, name, csv[name] as string, null));
  return { files, sums: await writeChecksums(dir, files, signer, signDate) };
}

/** What the Packs and Exports pages list: paths relative to the site root, sizes, sha256, signatures. */
function downloadsManifest(packs: { packs: PackArtifact[]; sums: Artifact | null }, exports: StagedFolder, signer: ArtifactSigner | null): Downloads {
  const entry = (folder: string, a: Artifact, title: string) => ({ file: `${folder}/${a.name}`, title, bytes: a.bytes, sha256: a.sha256, signature: a.signature && `${folder}/${a.signature}` });
  const sums = (folder: string, a: Artifact | null) => (a ? [{ file: `${folder}/${a.name}`, signature: a.signature && `${folder}/${a.signature}` }] : []);
  return {
    packs: packs.packs.map((p) => ({ framework: p.framework, ...entry(packsDir, p, p.name) })),
    exports: exports.files.map((f) => entry(exportsDir, f, EXPORT_TITLES[f.name] ?? f.name)),
    sums: [...sums(packsDir, packs.sums), ...sums(exportsDir, exports.sums)],
    signer: signer ? { fingerprint: signer.fingerprint, publicKey: signer.publicKeyArmored } : null,
  };
}

/** The pack signer's public key under /keys/, unless the evidence repository already published it. */
function publishSignerKey(outDir: string, signer: ArtifactSigner): void {
  const keyFile = join(outDir, 'keys', `${signer.fingerprint}.asc`);
  if (existsSync(keyFile)) return;
  mkdirSync(dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, signer.publicKeyArmored);
}

/** Astro empties its output folder: refuse one that holds the project, the evidence or the inputs. */
function checkOutDir(outDir: string, guarded: string[]): void {
  for (const p of guarded) {
    const rel = relative(outDir, resolve(p));
    const outside = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
    if (!outside) throw siteError('SITE_USAGE', `refusing to build into ${outDir}: it contains ${p}, and the build empties its output folder`);
  }
}

export async function buildSite(opts: BuildSiteOptions): Promise<BuildSiteReport> {
  const log = opts.log ?? (() => {});
  const outDir = resolve(opts.outDir);
  checkOutDir(outDir, [PROJECT_ROOT, opts.repoDir, opts.policiesDir, opts.modelFile]);
  const timings: Record<string, number> = {};
  const phase = async <T>(name: string, run: () => Promise<T> | T, done: (r: T) => string): Promise<T> => {
    const t0 = performance.now();
    log(`${name}…`);
    const r = await run();
    timings[name] = Math.round(performance.now() - t0);
    log(`${name}: ${done(r)} (${(timings[name] / 1000).toFixed(1)} s)`);
    return r;
  };

  const bytes = readFileSync(opts.modelFile);
  const data = await phase('model', () => {
    const model = parseModel(bytes.toString('utf8'), opts.modelFile);
    const problem = checkCompliance('model', model);
    if (problem !== null) throw siteError('SITE_MODEL_INVALID', `${opts.modelFile} does not match the model schema: ${problem}`);
    return indexModel(model);
  }, (d) => `${d.model.hosts.length} hosts, ${d.model.findings.length} findings, ${d.model.patch_events.length} patch events`);
  const signer = opts.signer ?? null;
  if (!signer) log('warning: no signing key: packs and checksums are not signed (give --home)');

  mkdirSync(dirname(outDir), { recursive: true });
  const staging = mkdtempSync(join(dirname(outDir), '.patchproof-build-'));
  try {
    const stagedExports = join(staging, exportsDir);
    const exports = await phase('exports', () => stageExports(stagedExports, bytes, data.model, signer, opts.signDate), (r) => `${r.files.length} files`);

    const stagedPacks = join(staging, packsDir);
    const packs = opts.packs === false
      ? { packs: [] as PackArtifact[], sums: null }
      : await phase('packs', () => writePacks({
          data, modelFile: join(stagedExports, 'model.json'), dir: stagedPacks, signer,
          ...(opts.signDate ? { signDate: opts.signDate } : {}), ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
          onPack: (f, n) => log(`  pack ${f}: ${(n / 1024).toFixed(0)} KiB`),
        }), (r) => `${r.packs.length} packs${signer ? ', signed' : ''}`);

    const downloadsFile = join(staging, 'downloads.json');
    writeFileSync(downloadsFile, JSON.stringify(downloadsManifest(packs, exports, signer)));

    await phase('pages', () => astroBuild({
      outDir, modelFile: join(stagedExports, 'model.json'), policiesDir: resolve(opts.policiesDir), repoDir: resolve(opts.repoDir),
      downloadsFile, ...(opts.astroLogLevel ? { logLevel: opts.astroLogLevel } : {}),
    }), () => `${data.model.hosts.length} host pages and the rest`);
    moveInto(stagedExports, join(outDir, exportsDir));
    if (existsSync(stagedPacks)) moveInto(stagedPacks, join(outDir, packsDir));

    // After the pages: Astro empties its output folder first. (Overlapping this file I/O with
    // the page build was measured slower on two cores.)
    const evidence = await phase('evidence', async () => {
      const r = await copyEvidence(data.model, resolve(opts.repoDir), outDir);
      if (signer) publishSignerKey(outDir, signer);
      return r;
    }, (r) => `${r.files} files, ${r.signatures} signatures, ${r.keys} keys`);

    const search = opts.search === false ? { pages: 0 } : await phase('search', () => buildSearchIndex(outDir), (r) => `${r.pages} pages indexed`);
    return { outDir, packs: packs.packs, exports: exports.files, evidence, searchPages: search.pages, timings };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

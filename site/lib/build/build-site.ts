// The whole site build from a model file: signed PDF packs (in their own processes), CSV exports
// and evidence files into a staging folder, the Astro pages (a child process) into the output
// folder, then the staged files beside them, and the Pagefind index last. Heavy phases run one
// at a time, so the build's memory is the largest of them, not their sum.
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
import { PROJECT_ROOT } from './astro-build.ts';
import { astroBuildInProcess } from './astro-process.ts';
import { writeArtifact, writeChecksums, type Artifact, type ArtifactSigner } from './checksums.ts';
import { copyEvidence, type CopyEvidenceResult } from './copy-evidence.ts';
import { EXPORT_TITLES } from './export-titles.ts';
import { packProcesses, writeExportsInProcess, writePacks, type PackArtifact } from './packs.ts';
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
  /** Pack processes at a time (0: render in this process); default from the memory budget (packs.ts). */
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
  /** Per phase, ms. The packs overlap the exports and evidence phases. */
  timings: Record<string, number>;
  /** Wall time of the whole build, ms. */
  elapsedMs: number;
}

/** Moves every file of `from` into `to` (which may already hold the page of the same name). */
function moveInto(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) renameSync(join(from, name), join(to, name));
}

/** Moves the tree `from` into `to`: a folder `to` lacks moves whole (one rename), others merge. */
function moveTree(from: string, to: string): void {
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const target = join(to, entry.name);
    if (entry.isDirectory() && existsSync(target)) moveTree(join(from, entry.name), target);
    else renameSync(join(from, entry.name), target);
  }
}

interface StagedFolder {
  files: Artifact[];
  sums: Artifact | null;
}

/**
 * exports/: the model byte for byte, the CSVs, and SHA256SUMS (signed when there is a signer).
 * `rendered`: the CSVs a pack process already wrote into `dir`; else they are rendered here.
 */
async function stageExports(dir: string, modelBytes: Buffer, model: ComplianceModel, signer: ArtifactSigner | null, signDate: Date | undefined, rendered: Artifact[] | null): Promise<StagedFolder> {
  mkdirSync(dir, { recursive: true });
  const files: Artifact[] = [await writeArtifact(dir, 'model.json', modelBytes, null)];
  if (rendered) {
    files.push(...rendered);
  } else {
    const csv = renderCsvExports(model);
    for (const name of Object.keys(csv).sort()) files.push(await writeArtifact(dir, name, csv[name] as string, null));
  }
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

type Phase = <T>(name: string, run: () => Promise<T> | T, done: (r: T) => string) => Promise<T>;

interface Staged {
  hosts: number;
  packs: { packs: PackArtifact[]; sums: Artifact | null };
  exports: StagedFolder;
  evidence: CopyEvidenceResult;
}

/**
 * Everything before the pages, into `staging`: the model checked, the packs and the CSVs (in
 * pack processes for large models), the exports folder and the evidence files. Only small
 * results leave this function, so the parsed model is garbage while the pages are built.
 */
async function stage(opts: BuildSiteOptions, staging: string, signal: AbortSignal, phase: Phase, log: (line: string) => void): Promise<Staged> {
  const bytes = readFileSync(opts.modelFile);
  const data = await phase('model', () => {
    const model = parseModel(bytes.toString('utf8'), opts.modelFile);
    const problem = checkCompliance('model', model);
    if (problem !== null) throw siteError('SITE_MODEL_INVALID', `${opts.modelFile} does not match the model schema: ${problem}`);
    return indexModel(model);
  }, (d) => `${d.model.hosts.length} hosts, ${d.model.findings.length} findings, ${d.model.patch_events.length} patch events`);
  const signer = opts.signer ?? null;
  if (!signer) log('warning: no signing key: packs and checksums are not signed (give --home)');

  // The packs (and, with them, the CSV exports) render in their own process(es) while this
  // one copies the evidence into the staging folder; the pages need the packs' sizes and sha256.
  const stagedExports = join(staging, exportsDir);
  const packOpts = {
    data, modelFile: resolve(opts.modelFile), dir: join(staging, packsDir), signer, signal,
    ...(opts.signDate ? { signDate: opts.signDate } : {}), ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
  };
  // Models big enough for pack processes also get their CSVs from one, even without packs.
  const inProcesses = packProcesses(packOpts) > 0;
  const packsRun = opts.packs === false
    ? inProcesses
      ? writeExportsInProcess({ modelFile: packOpts.modelFile, dir: stagedExports, signal }).then((exports) => ({ packs: [] as PackArtifact[], sums: null, exports }))
      : Promise.resolve({ packs: [] as PackArtifact[], sums: null, exports: null })
    : phase('packs', () => writePacks({
        ...packOpts, ...(inProcesses ? { exportsDir: stagedExports } : {}),
        onPack: (f, n) => log(`  pack ${f}: ${(n / 1024).toFixed(0)} KiB`),
      }), (r) => `${r.packs.length} packs${signer ? ', signed' : ''}${r.exports ? ', exports' : ''}`);
  packsRun.catch(() => {}); // awaited below; a failure elsewhere first must not leave it unhandled

  const evidence = await phase('evidence', () => copyEvidence(data.model, resolve(opts.repoDir), join(staging, 'site')), (r) => `${r.files} files, ${r.signatures} signatures, ${r.keys} keys`);
  const packs = await packsRun;
  const exports = await phase('exports', () => stageExports(stagedExports, bytes, data.model, signer, opts.signDate, packs.exports), (r) => `${r.files.length} files`);
  return { hosts: data.model.hosts.length, packs: { packs: packs.packs, sums: packs.sums }, exports, evidence };
}

export async function buildSite(opts: BuildSiteOptions): Promise<BuildSiteReport> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const outDir = resolve(opts.outDir);
  checkOutDir(outDir, [PROJECT_ROOT, opts.repoDir, opts.policiesDir, opts.modelFile]);
  const timings: Record<string, number> = {};
  const phase: Phase = async (name, run, done) => {
    const t0 = performance.now();
    log(`${name}…`);
    const r = await run();
    timings[name] = Math.round(performance.now() - t0);
    log(`${name}: ${done(r)} (${(timings[name] / 1000).toFixed(1)} s)`);
    return r;
  };
  const signer = opts.signer ?? null;

  mkdirSync(dirname(outDir), { recursive: true });
  const staging = mkdtempSync(join(dirname(outDir), '.patchproof-build-'));
  const stop = new AbortController();
  try {
    const { hosts, packs, exports, evidence } = await stage(opts, staging, stop.signal, phase, log);
    const downloadsFile = join(staging, 'downloads.json');
    writeFileSync(downloadsFile, JSON.stringify(downloadsManifest(packs, exports, signer)));

    // A child process: Astro's memory is gone before the search index is built.
    const stagedExports = join(staging, exportsDir);
    await phase('pages', () => astroBuildInProcess({
      outDir, modelFile: join(stagedExports, 'model.json'), policiesDir: resolve(opts.policiesDir), repoDir: resolve(opts.repoDir),
      downloadsFile, ...(opts.astroLogLevel ? { logLevel: opts.astroLogLevel } : {}),
    }, stop.signal), () => `${hosts} host pages and the rest`);
    // Astro empties its output folder first: the staged files go in after the pages.
    moveInto(stagedExports, join(outDir, exportsDir));
    if (existsSync(join(staging, packsDir))) moveInto(join(staging, packsDir), join(outDir, packsDir));
    moveTree(join(staging, 'site'), outDir);
    if (signer) publishSignerKey(outDir, signer);

    const search = opts.search === false ? { pages: 0 } : await phase('search', () => buildSearchIndex(outDir), (r) => `${r.pages} pages indexed`);
    return { outDir, packs: packs.packs, exports: exports.files, evidence, searchPages: search.pages, timings, elapsedMs: Math.round(performance.now() - started) };
  } finally {
    stop.abort();
    rmSync(staging, { recursive: true, force: true });
  }
}

// Renders one evidence pack per framework into a folder, signs each, and writes SHA256SUMS and
// SHA256SUMS.asc. Large models render in child processes (pack-process.ts), as many at a time as
// the build's memory budget allows, one framework after another per process.
import { fork } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { availableParallelism, freemem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { siteError } from '../errors.ts';
import type { Framework } from '../model-types.ts';
import type { ExportFile, PackProcessInput, PackProcessMessage } from '../pdf/pack-process.ts';
import { renderPack } from '../pdf/pack.ts';
import { FRAMEWORKS, type SiteData } from '../site-data.ts';
import { packFileName } from '../urls.ts';
import { writeArtifact, writeChecksums, type Artifact, type ArtifactSigner } from './checksums.ts';

export interface PacksOptions {
  data: SiteData;
  /** The model file the pack processes read (the same bytes as `data.model`). */
  modelFile: string;
  dir: string;
  signer: ArtifactSigner | null;
  /** Signature time; default the signer's clock. */
  signDate?: Date;
  /** Pack processes at a time; 0 renders in this thread. Default: `defaultPackProcesses`. */
  workers?: number;
  frameworks?: readonly Framework[];
  onPack?: (framework: Framework, bytes: number) => void;
  /** Stops the pack processes (the build failed elsewhere). */
  signal?: AbortSignal;
  /**
   * When the packs render in processes, the first also writes the CSV exports here (the build
   * process then never holds them). `writePacks` returns `exports: null` when it did not.
   */
  exportsDir?: string;
}

export interface PackArtifact extends Artifact {
  framework: Framework;
}

const MB = 1024 * 1024;
/** The whole build (every process it runs) should stay under this: the 1,000-host target. */
export const BUILD_MEMORY_BUDGET = 1024 * MB;

/**
 * Peak RSS of one pack process and of the build's own process while packs render, for a model
 * file of `modelBytes`: fitted to measurements at 100 and 1,000 hosts (2.4 and 23 MB models:
 * ~210 and ~490 MB per pack process, ~150 and ~300 MB for the build process).
 */
export function packMemoryEstimate(modelBytes: number): { perProcess: number; buildProcess: number } {
  return { perProcess: 175 * MB + 14 * modelBytes, buildProcess: 130 * MB + 7 * modelBytes };
}

/**
 * How many pack processes to run at once: none below 100 hosts (rendering in the build's own
 * thread is quicker than starting a process); otherwise as many as fit the memory budget (and
 * half the free memory), at least one, at most one per core and one per framework.
 */
export function defaultPackProcesses(p: { hosts: number; modelBytes: number; frameworks: number; cores?: number; freeBytes?: number; budget?: number }): number {
  if (p.hosts < 100) return 0;
  const { perProcess, buildProcess } = packMemoryEstimate(p.modelBytes);
  const budget = Math.min(p.budget ?? BUILD_MEMORY_BUDGET, buildProcess + (p.freeBytes ?? freemem()) / 2);
  const fit = Math.floor((budget - buildProcess) / perProcess);
  return Math.max(1, Math.min(fit, p.cores ?? availableParallelism(), p.frameworks));
}

const PACK_PROCESS = fileURLToPath(new URL('../pdf/pack-process.ts', import.meta.url));

type ProcessOptions = Pick<PacksOptions, 'modelFile' | 'signer' | 'signal' | 'exportsDir'>;

function renderInProcesses(opts: ProcessOptions, frameworks: readonly Framework[], count: number, onPdf: (f: Framework, pdf: Buffer) => Promise<void>, onExports: (files: ExportFile[]) => void): Promise<void> {
  const groups: Framework[][] = Array.from({ length: count }, () => []);
  frameworks.forEach((f, i) => groups[i % count]?.push(f));
  const input = (group: Framework[], first: boolean): PackProcessInput => ({
    modelFile: opts.modelFile, frameworks: group, signerFingerprint: opts.signer?.fingerprint ?? null,
    ...(first && opts.exportsDir !== undefined ? { exportsDir: opts.exportsDir } : {}),
  });
  return Promise.all(
    groups.map(
      (group, g) =>
        new Promise<void>((resolve, reject) => {
          // --expose-gc: the process collects each pack's layout before the next one. A larger
          // young generation promotes less of a layout to the old one: ~70 MB lower peak.
          const child = fork(PACK_PROCESS, [], { execArgv: ['--expose-gc', '--max-semi-space-size=32'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...(opts.signal ? { signal: opts.signal } : {}) });
          let done = 0;
          let failed: Error | null = null;
          let chain = Promise.resolve();
          const fail = (err: Error) => {
            failed ??= err;
            child.kill();
          };
          child.on('message', (msg: PackProcessMessage) => {
            if ('error' in msg) return fail(siteError('SITE_PDF_FAILED', `pack process failed: ${msg.error.split('\n')[0]}`, { data: { stack: msg.error } }));
            if ('exports' in msg) return onExports(msg.exports);
            const pdf = Buffer.from(msg.pdf.buffer, msg.pdf.byteOffset, msg.pdf.byteLength);
            chain = chain.then(() => onPdf(msg.framework, pdf)).catch((err: Error) => fail(err));
            done += 1;
          });
          child.on('error', (cause: Error) => fail(siteError('SITE_PDF_FAILED', `pack process: ${cause.message}`, { cause })));
          child.on('exit', (code, sig) => {
            void chain.then(() => {
              if (!failed && done !== group.length) failed = siteError('SITE_PDF_FAILED', `pack process exited (${sig ?? code}) after ${done} of ${group.length} packs`);
              if (failed) reject(failed);
              else resolve();
            });
          });
          child.send(input(group, g === 0));
        }),
    ),
  ).then(() => undefined);
}

/** The CSV exports alone, written into `dir` by a pack process that renders no pack. */
export async function writeExportsInProcess(opts: { modelFile: string; dir: string; signal?: AbortSignal }): Promise<Artifact[]> {
  let exports: Artifact[] | null = null;
  await renderInProcesses({ modelFile: opts.modelFile, signer: null, exportsDir: opts.dir, ...(opts.signal ? { signal: opts.signal } : {}) }, [], 1, async () => {}, (files) => (exports = files.map((f) => ({ ...f, signature: null }))));
  if (exports === null) throw siteError('SITE_PDF_FAILED', 'the pack process did not write the exports');
  return exports;
}

/** Pack processes for these options: `workers`, else `defaultPackProcesses`. */
export function packProcesses(opts: Pick<PacksOptions, 'data' | 'modelFile' | 'workers' | 'frameworks'>): number {
  const frameworks = opts.frameworks?.length ?? FRAMEWORKS.length;
  return Math.min(frameworks, opts.workers ?? defaultPackProcesses({
    hosts: opts.data.model.hosts.length, modelBytes: statSync(opts.modelFile).size, frameworks,
  }));
}

export async function writePacks(opts: PacksOptions): Promise<{ packs: PackArtifact[]; sums: Artifact; exports: Artifact[] | null }> {
  mkdirSync(opts.dir, { recursive: true });
  const frameworks = opts.frameworks ?? FRAMEWORKS.map((f) => f.id);
  const results = new Map<Framework, PackArtifact>();
  const onPdf = async (framework: Framework, pdf: Buffer) => {
    const name = packFileName(framework, opts.data.model.period);
    const artifact = await writeArtifact(opts.dir, name, pdf, opts.signer, opts.signDate);
    results.set(framework, { ...artifact, framework });
    opts.onPack?.(framework, pdf.length);
  };
  const processes = packProcesses(opts);
  let exports: Artifact[] | null = null;
  if (processes > 0) {
    await renderInProcesses(opts, frameworks, processes, onPdf, (files) => (exports = files.map((f) => ({ ...f, signature: null }))));
    if (opts.exportsDir !== undefined && exports === null) throw siteError('SITE_PDF_FAILED', 'the pack process did not write the exports');
  } else {
    for (const framework of frameworks) {
      opts.signal?.throwIfAborted();
      await onPdf(framework, await renderPack({ data: opts.data, framework, signerFingerprint: opts.signer?.fingerprint ?? null }));
    }
  }
  const packs = frameworks.map((f) => results.get(f) as PackArtifact);
  const sums = await writeChecksums(opts.dir, packs, opts.signer, opts.signDate);
  return { packs, sums, exports };
}

// Renders one evidence pack per framework into a folder, signs each, and writes SHA256SUMS and
// SHA256SUMS.asc. Large models render in worker threads, one framework after another per worker.
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { siteError } from '../errors.ts';
import type { Framework } from '../model-types.ts';
import type { PackWorkerData, PackWorkerMessage } from '../pdf/pack-worker.ts';
import { renderPack } from '../pdf/pack.ts';
import { FRAMEWORKS, type SiteData } from '../site-data.ts';
import { packFileName } from '../urls.ts';
import { writeArtifact, writeChecksums, type Artifact, type ArtifactSigner } from './checksums.ts';

export interface PacksOptions {
  data: SiteData;
  /** The model file the workers read (the same bytes as `data.model`). */
  modelFile: string;
  dir: string;
  signer: ArtifactSigner | null;
  /** Signature time; default the signer's clock. */
  signDate?: Date;
  /** Worker threads; 0 renders in this thread. Default: up to 4 for models of 100+ hosts. */
  workers?: number;
  frameworks?: readonly Framework[];
  onPack?: (framework: Framework, bytes: number) => void;
}

export interface PackArtifact extends Artifact {
  framework: Framework;
}

function renderInWorkers(opts: PacksOptions, frameworks: readonly Framework[], count: number, onPdf: (f: Framework, pdf: Buffer) => Promise<void>): Promise<void> {
  const groups: Framework[][] = Array.from({ length: count }, () => []);
  frameworks.forEach((f, i) => groups[i % count]?.push(f));
  const signerFingerprint = opts.signer?.fingerprint ?? null;
  return Promise.all(
    groups.map(
      (group) =>
        new Promise<void>((resolve, reject) => {
          const workerData: PackWorkerData = { modelFile: opts.modelFile, frameworks: group, signerFingerprint };
          const worker = new Worker(new URL('../pdf/pack-worker.ts', import.meta.url), { workerData });
          let done = 0;
          let chain = Promise.resolve();
          worker.on('message', (msg: PackWorkerMessage) => {
            if ('error' in msg) {
              reject(siteError('SITE_PDF_FAILED', `pack worker failed: ${msg.error.split('\n')[0]}`, { data: { stack: msg.error } }));
              void worker.terminate();
              return;
            }
            chain = chain.then(() => onPdf(msg.framework, Buffer.from(msg.pdf.buffer, msg.pdf.byteOffset, msg.pdf.byteLength)));
            done += 1;
            if (done === group.length) chain.then(() => worker.terminate()).then(() => resolve(), reject);
          });
          worker.on('error', (cause: Error) => reject(siteError('SITE_PDF_FAILED', `pack worker crashed: ${cause.message}`, { cause })));
        }),
    ),
  ).then(() => undefined);
}

export async function writePacks(opts: PacksOptions): Promise<{ packs: PackArtifact[]; sums: Artifact }> {
  mkdirSync(opts.dir, { recursive: true });
  const frameworks = opts.frameworks ?? FRAMEWORKS.map((f) => f.id);
  const results = new Map<Framework, PackArtifact>();
  const onPdf = async (framework: Framework, pdf: Buffer) => {
    const name = packFileName(framework, opts.data.model.period);
    const artifact = await writeArtifact(opts.dir, name, pdf, opts.signer, opts.signDate);
    results.set(framework, { ...artifact, framework });
    opts.onPack?.(framework, pdf.length);
  };
  const workers = Math.min(frameworks.length, opts.workers ?? (opts.data.model.hosts.length >= 100 ? Math.min(4, availableParallelism()) : 0));
  if (workers > 0) {
    await renderInWorkers(opts, frameworks, workers, onPdf);
  } else {
    for (const framework of frameworks) {
      await onPdf(framework, await renderPack({ data: opts.data, framework, signerFingerprint: opts.signer?.fingerprint ?? null }));
    }
  }
  const packs = frameworks.map((f) => results.get(f) as PackArtifact);
  const sums = await writeChecksums(opts.dir, packs, opts.signer, opts.signDate);
  return { packs, sums };
}

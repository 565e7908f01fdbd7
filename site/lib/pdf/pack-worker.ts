// Worker thread that renders evidence packs: loads the model once, renders the frameworks it is
// given one after the other and posts each PDF back. Packs are CPU-bound, so several workers
// render a build's four packs in parallel.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parseModel } from '../model.ts';
import type { Framework } from '../model-types.ts';
import { indexModel } from '../site-data.ts';
import { renderPack } from './pack.ts';

export interface PackWorkerData {
  modelFile: string;
  frameworks: Framework[];
  signerFingerprint: string | null;
}

export type PackWorkerMessage = { framework: Framework; pdf: Uint8Array } | { error: string };

const input = workerData as PackWorkerData;
try {
  const data = indexModel(parseModel(readFileSync(input.modelFile, 'utf8'), input.modelFile));
  for (const framework of input.frameworks) {
    const pdf = await renderPack({ data, framework, signerFingerprint: input.signerFingerprint });
    parentPort?.postMessage({ framework, pdf } satisfies PackWorkerMessage);
  }
} catch (err) {
  parentPort?.postMessage({ error: (err as Error)?.stack ?? String(err) } satisfies PackWorkerMessage);
}

// Child process that renders evidence packs: reads the model once, optionally writes the CSV
// exports first, renders the frameworks it is given one after the other and sends each PDF back
// over IPC. A process rather than a worker thread, so that everything it allocated is returned
// to the system when it exits, before the build's page phase starts (a thread's malloc arenas
// stay with the parent process, and V8 rarely shrinks a heap it has grown).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCsvExports } from '../../../compliance/export-csv.ts';
import { parseModel } from '../model.ts';
import type { Framework } from '../model-types.ts';
import { indexModel } from '../site-data.ts';
import { renderPack } from './pack.ts';

export interface PackProcessInput {
  modelFile: string;
  frameworks: Framework[];
  signerFingerprint: string | null;
  /** Also write the CSV exports into this folder, before the packs. */
  exportsDir?: string;
}

export interface ExportFile {
  name: string;
  bytes: number;
  sha256: string;
}

export type PackProcessMessage = { framework: Framework; pdf: Uint8Array } | { exports: ExportFile[] } | { error: string };

const send = (msg: PackProcessMessage) =>
  new Promise<void>((resolve, reject) => process.send?.(msg, undefined, {}, (err) => (err ? reject(err) : resolve())));

async function main(input: PackProcessInput): Promise<void> {
  const data = indexModel(parseModel(readFileSync(input.modelFile, 'utf8'), input.modelFile));
  const gc = (globalThis as { gc?: () => void }).gc;
  if (input.exportsDir !== undefined) {
    const csv = renderCsvExports(data.model);
    mkdirSync(input.exportsDir, { recursive: true });
    const files = Object.keys(csv).sort().map((name) => {
      const text = csv[name] as string;
      writeFileSync(join(input.exportsDir as string, name), text);
      return { name, bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
    });
    await send({ exports: files });
    gc?.();
  }
  for (const framework of input.frameworks) {
    const pdf = await renderPack({ data, framework, signerFingerprint: input.signerFingerprint });
    await send({ framework, pdf });
    // One pack's layout at a time: collect it before laying out the next (the parent passes
    // --expose-gc), or the heap grows by a few hundred MB before V8 decides to.
    gc?.();
  }
}

if (process.send) {
  process.once('message', (input: PackProcessInput) => {
    main(input).then(
      () => process.disconnect?.(),
      async (err: unknown) => {
        await send({ error: (err as Error)?.stack ?? String(err) }).catch(() => {});
        process.disconnect?.();
      },
    );
  });
}

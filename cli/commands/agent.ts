// `patchproof agent enroll|run|collect|rotate-token`: the same entry as the bundled `patchproof-agent`.
import { agentMain } from '../../agent/main.ts';
import type { CliIO } from '../io.ts';

export async function run(argv: string[], io: CliIO): Promise<number> {
  return agentMain(argv, io);
}

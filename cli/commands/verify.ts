// `patchproof verify --repo DIR [--expect-ancestor COMMIT] [--trusted-key FPR]... [--json]`:
// exit 0 only when everything verifies; else one line per problem and exit 1.
import { resolve } from 'node:path';
import { verifyRepository, type VerifyProgress } from '../../evidence/verify.ts';
import { parseOptions, printError, requireOption } from '../errors.ts';
import type { CliIO } from '../io.ts';

const USAGE = 'Usage: patchproof verify --repo DIR [--expect-ancestor COMMIT] [--trusted-key FINGERPRINT]... [--json] [--quiet]\n';

export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    const { values } = parseOptions(argv, {
      repo: { type: 'string' },
      'expect-ancestor': { type: 'string' },
      'trusted-key': { type: 'string', multiple: true },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    }, false);
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const repo = resolve(io.cwd, requireOption(values.repo, 'repo'));
    let lastPhase = '';
    const onProgress = values.quiet || values.json
      ? undefined
      : (p: VerifyProgress) => {
          if (p.phase !== lastPhase || p.done === p.total) {
            if (p.done === p.total) io.stderr(`  ${p.phase}: ${p.done}/${p.total}\n`);
            lastPhase = p.phase;
          }
        };
    const report = await verifyRepository(repo, {
      ...(values['expect-ancestor'] ? { expectAncestor: values['expect-ancestor'] } : {}),
      ...(values['trusted-key'] ? { trustedFingerprints: values['trusted-key'] } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    const s = report.stats;
    if (values.json) {
      for (const p of report.problems) io.stdout(`${JSON.stringify(p)}\n`);
      io.stdout(`${JSON.stringify({ summary: { ok: report.ok, head: report.head, problems: report.problems.length, ...s, ms: Math.round(s.ms), signatureMs: Math.round(s.signatureMs) } })}\n`);
    } else {
      for (const p of report.problems) io.stdout(`${p.code} ${p.path}: ${p.message}\n`);
      const rate = s.signatureMs > 0 ? ` (${Math.round((s.files / s.signatureMs) * 1000)} file signatures/s)` : '';
      io.stdout(
        `${report.ok ? 'OK' : 'FAILED'}: ${report.problems.length} problem(s); head ${report.head ?? '(none)'}; ${s.commits} commits, ${s.signatures} signatures, ` +
          `${s.hosts} hosts, ${s.reports} reports, ${s.auditEntries} audit entries in ${(s.ms / 1000).toFixed(2)} s${rate}\n`,
      );
    }
    return report.ok ? 0 : 1;
  } catch (err) {
    return printError(io, err);
  }
}

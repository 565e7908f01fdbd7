// Admin API: risk acceptances. `PUT exceptions/:id` commits exceptions/<id>.yaml — the request
// first, the approval later — as signed, audited commits, so the file's history shows both.
import type { FastifyInstance } from 'fastify';
import { parse, stringify } from 'yaml';
import { EXCEPTION_ID_RE, repoPaths } from '../../evidence/paths.ts';
import { check } from '../../evidence/schema.ts';
import type { ExceptionRecord } from '../../evidence/types.gen.ts';
import { auditInput } from '../audit.ts';
import type { CollectorContext } from '../context.ts';
import { colError } from '../errors.ts';
import { actionContext } from './admin-common.ts';

export const EXCEPTION_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: EXCEPTION_ID_RE.source } },
} as const;

/** The file as committed: a fixed header line, then the record's YAML in the order it was sent. */
export function exceptionFileText(record: ExceptionRecord): string {
  return `# Risk acceptance ${record.id}. Schema: exception.schema.json; change it only by a reviewed commit.\n${stringify(record, { lineWidth: 0 })}`;
}

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

export function adminExceptionRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  // One write per exception id at a time, so "created" vs "updated" and the recorded changes are exact.
  const queues = new Map<string, Promise<unknown>>();
  const serially = <T>(id: string, fn: () => Promise<T>): Promise<T> => {
    const next = (queues.get(id) ?? Promise.resolve()).then(fn, fn);
    const tail = next.catch(() => undefined);
    queues.set(id, tail);
    void tail.then(() => queues.get(id) === tail && queues.delete(id));
    return next;
  };

  app.put('/api/v1/admin/exceptions/:id', { schema: { params: EXCEPTION_PARAMS }, bodyLimit: 256 * 1024 }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const path = repoPaths.exception(id);
    const a = actionContext(ctx, request);
    const problem = check('exception', request.body);
    if (problem !== null) throw colError('COL_EXCEPTION_INVALID', `exception ${id} refused: ${problem}`, { data: { id } });
    const record = request.body as ExceptionRecord;
    if (record.id !== id) throw colError('COL_EXCEPTION_ID_MISMATCH', `the body's id ${JSON.stringify(record.id)} is not ${id}`, { data: { id } });
    return serially(id, async () => {
      const bytes = await ctx.sink.readFile(path);
      const text = exceptionFileText(record);
      if (bytes !== null && new TextDecoder().decode(bytes) === text) return { id, path, exception: record, commit: null, created: false, changed: [] };
      const before = bytes === null ? {} : ((parse(new TextDecoder().decode(bytes)) ?? {}) as Record<string, unknown>);
      const changed = changedFields(before, record as unknown as Record<string, unknown>);
      const created = bytes === null;
      const approved = record.approver !== null && record.approved_at !== null;
      // A commit of its own: its message is what `git log exceptions/<id>.yaml` shows an auditor.
      const message = `exception ${id} ${created ? 'requested' : approved ? 'updated (approved)' : 'updated'}: ${record.title}`;
      const { commit } = await ctx.sink.writeReviewed([{ path, content: text }], message, [
        auditInput({
          actor: a.actor, action: created ? 'exception.created' : 'exception.updated', source: a.source, target: { type: 'exception', id }, time: a.now,
          details: { fields: changed.slice(0, 32), approved },
        }),
      ]);
      reply.code(created ? 201 : 200);
      return { id, path, exception: record, commit, created, changed };
    });
  });
}

// An update simulation costs seconds (apt rebuilds its cache, dnf loads metadata) but its answer only
// changes with the package database, repository metadata or configuration: memoised on their mtimes.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgtCode } from '../errors.ts';
import type { SourceContext } from './types.ts';

interface Entry<T> {
  readonly fingerprint: string;
  readonly at: number;
  readonly value: T;
  readonly warnings: Array<{ code: AgtCode; message: string }>;
}

/** Even with nothing changed, recompute after this long (clock-driven, via ctx.now). */
export const MEMO_MAX_AGE_MS = 6 * 60 * 60 * 1000;

export async function fingerprint(ctx: SourceContext, paths: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    paths.map(async (p) => {
      const st = await stat(join(ctx.root, p)).catch(() => null);
      return st ? `${p}@${st.mtimeMs}:${st.size}:${st.ino}` : `${p}@-`;
    }),
  );
  return parts.join('|');
}

/** Returns the cached value (re-emitting its warnings) while the watched files are unchanged. */
export async function memoByFiles<T>(ctx: SourceContext, key: string, paths: readonly string[], compute: (ctx: SourceContext) => Promise<T>): Promise<T> {
  const cache = ctx.cache;
  if (!cache) return compute(ctx);
  const fp = await fingerprint(ctx, paths);
  const now = ctx.now().getTime();
  const hit = cache.get(key) as Entry<T> | undefined;
  if (hit && hit.fingerprint === fp && now - hit.at >= 0 && now - hit.at < MEMO_MAX_AGE_MS) {
    for (const w of hit.warnings) ctx.warn(w.code, w.message);
    return hit.value;
  }
  const warnings: Array<{ code: AgtCode; message: string }> = [];
  const recording: SourceContext = {
    ...ctx,
    warn(code, message) {
      warnings.push({ code, message });
      ctx.warn(code, message);
    },
  };
  const value = await compute(recording);
  cache.set(key, { fingerprint: fp, at: now, value, warnings } satisfies Entry<T>);
  return value;
}

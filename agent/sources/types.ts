// The interface every package manager implements (tailscale-style: one file per OS family behind
// one interface) and the context collect() hands them: root prefix, exec, clock, warnings.
import type { HistoryEvent, Package, PendingUpdate } from '../../evidence/types.gen.ts';
import type { AgtCode } from '../errors.ts';
import type { Exec } from '../exec.ts';
import type { LocalTime } from './local-time.ts';

/** Kept by the agent's run loop across collections; collect() works without one. */
export type CollectCache = Map<string, unknown>;

export type PackageManager = 'dpkg' | 'rpm' | 'apk';

export interface SourceContext {
  /** Filesystem root prefix ('/' on a real host, a fixture directory in tests). */
  readonly root: string;
  readonly exec: Exec;
  readonly now: () => Date;
  /** Converts the zone-less wall-clock times of package logs to instants. */
  readonly localTime: LocalTime;
  /** Kept by the caller across collections to skip unchanged, slow work (see memo.ts). */
  readonly cache?: CollectCache;
  /** Records a coded warning for the report; never throws. */
  warn(code: AgtCode, message: string): void;
}

export interface PackageSource {
  readonly manager: PackageManager;
  /** A short name for warnings and logs, e.g. 'dpkg/apt', 'rpm/dnf5', 'rpm/zypper'. */
  readonly name?: string;
  detect(ctx: SourceContext): Promise<boolean>;
  installed(ctx: SourceContext): Promise<Package[]>;
  pending(ctx: SourceContext): Promise<PendingUpdate[]>;
  history(ctx: SourceContext, since?: Date): Promise<HistoryEvent[]>;
  /** Installed kernel releases in `uname -r` form; derived from the package list when absent. */
  kernels?(ctx: SourceContext): Promise<string[]>;
}

/** What a pure parser returns: the parsed items and the lines it had to skip. */
export interface Parsed<T> {
  readonly items: T[];
  readonly invalid: string[];
}

/** One warning for all skipped lines of one input, with a short example. */
export function warnInvalid(ctx: SourceContext, code: AgtCode, what: string, invalid: readonly string[]): void {
  if (invalid.length === 0) return;
  const example = invalid[0]!.slice(0, 120);
  ctx.warn(code, `${what}: skipped ${invalid.length} unparseable line(s), e.g. ${JSON.stringify(example)}`);
}

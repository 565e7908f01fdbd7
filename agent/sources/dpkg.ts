// Debian/Ubuntu: inventory from dpkg-query, pending updates from an unprivileged apt simulation,
// history from dpkg.log joined with apt's history.log (who ran which command).
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryEvent, Package, PendingUpdate } from '../../evidence/types.gen.ts';
import { agtError } from '../errors.ts';
import { firstLine, rootArgs } from './text.ts';
import { attributeEvents, parseAptHistory, type AptTransaction } from './apt-history.ts';
import { APT_SIMULATE_ARGS, parseAptSimulate } from './apt-simulate.ts';
import { DPKG_QUERY_ARGS, parseDpkgQuery } from './dpkg-query.ts';
import { parseDpkgLog } from './dpkg-log.ts';
import { readRotatedLogs } from './log-files.ts';
import { memoByFiles } from './memo.ts';
import { type PackageSource, type SourceContext, warnInvalid } from './types.ts';

export interface DpkgSourceOptions {
  /** dpkg's database directory as the host sees it (default /var/lib/dpkg under the context root). */
  readonly admindir?: string;
  /** Skip the apt simulation (pending() returns []). */
  readonly pending?: boolean;
}

/** Files whose change can change the apt simulation's answer. */
const APT_STATE = ['/var/lib/dpkg/status', '/var/lib/apt/lists', '/var/lib/apt/extended_states', '/etc/apt/sources.list', '/etc/apt/sources.list.d', '/etc/apt/preferences', '/etc/apt/preferences.d', '/etc/apt/apt.conf.d'];

export function dpkgSource(options: DpkgSourceOptions = {}): PackageSource {
  const admindir = (ctx: SourceContext): string => options.admindir ?? join(ctx.root, '/var/lib/dpkg');
  return {
    manager: 'dpkg',
    name: 'dpkg/apt',

    async detect(ctx) {
      return access(join(admindir(ctx), 'status')).then(() => true, () => false);
    },

    async installed(ctx): Promise<Package[]> {
      const args = options.admindir !== undefined || ctx.root !== '/' ? [`--admindir=${admindir(ctx)}`, ...DPKG_QUERY_ARGS] : DPKG_QUERY_ARGS;
      const res = await ctx.exec('dpkg-query', args, { timeoutMs: 60_000 });
      if (res.code !== 0 && res.stdout.trim() === '') {
        throw agtError('AGT_INVENTORY_FAILED', `dpkg-query exited with ${res.code}: ${firstLine(res.stderr)}`);
      }
      const parsed = parseDpkgQuery(res.stdout);
      warnInvalid(ctx, 'AGT_INVENTORY_LINE_INVALID', 'dpkg-query', parsed.invalid);
      if (parsed.truncated || res.code !== 0) {
        ctx.warn('AGT_INVENTORY_TRUNCATED', `dpkg-query output ${parsed.truncated ? 'ends mid-line' : `came with exit code ${res.code}`}; the inventory may be incomplete`);
      }
      if (parsed.unfinished.length > 0) {
        ctx.warn('AGT_PACKAGE_STATE_PARTIAL', `${parsed.unfinished.length} package(s) not fully installed, left out: ${parsed.unfinished.slice(0, 10).join(' ')}`);
      }
      return parsed.items;
    },

    async pending(ctx): Promise<PendingUpdate[]> {
      if (options.pending === false) return [];
      return memoByFiles(ctx, 'dpkg:pending', APT_STATE, async (c) => {
        const res = await c.exec('apt-get', [...rootArgs('apt-get', c.root), ...APT_SIMULATE_ARGS], { timeoutMs: 180_000 });
        const parsed = parseAptSimulate(res.stdout);
        warnInvalid(c, 'AGT_PENDING_LINE_INVALID', 'apt-get -s', parsed.invalid);
        if (res.code !== 0) c.warn('AGT_PENDING_FAILED', `apt-get -s exited with ${res.code}: ${firstLine(res.stderr)}`);
        return parsed.items;
      });
    },

    async history(ctx, since): Promise<HistoryEvent[]> {
      const dpkgLogs = await readRotatedLogs(ctx, '/var/log/dpkg.log', { since, required: true });
      let events: HistoryEvent[] = [];
      for (const log of dpkgLogs) {
        const parsed = parseDpkgLog(log.text, ctx.localTime, since);
        warnInvalid(ctx, 'AGT_LOG_LINE_INVALID', log.path, parsed.invalid);
        events.push(...parsed.items);
      }
      if (events.length === 0) return events;
      const txs: AptTransaction[] = [];
      for (const log of await readRotatedLogs(ctx, '/var/log/apt/history.log', { since })) {
        const parsed = parseAptHistory(log.text, ctx.localTime);
        warnInvalid(ctx, 'AGT_LOG_LINE_INVALID', log.path, parsed.invalid);
        txs.push(...parsed.items);
      }
      txs.sort((a, b) => a.start.getTime() - b.start.getTime());
      events = attributeEvents(events, txs);
      return events;
    },
  };
}

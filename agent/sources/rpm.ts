// RHEL family and Fedora: inventory from rpm, pending updates and advisories from the system's
// dnf5/dnf/yum metadata cache (never refreshed by the agent), history from dnf.rpm.log or yum.log.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryEvent, Package, PendingUpdate } from '../../evidence/types.gen.ts';
import { agtError } from '../errors.ts';
import { parseDnfCheckUpdate } from './dnf-check-update.ts';
import { parseDnfRpmLog, parseYumLog } from './dnf-log.ts';
import { type AdvisoryInfo, type AdvisoryRef, parseDnf5AdvisoryInfo, parseDnf5AdvisoryList, parseUpdateinfoInfo, parseUpdateinfoList } from './dnf-updateinfo.ts';
import { readRotatedLogs } from './log-files.ts';
import { memoByFiles } from './memo.ts';
import { applyAdvisories } from './rpm-advisories.ts';
import { parseRpmQuery, RPM_QUERY_ARGS } from './rpm-query.ts';
import { firstLine, rootArgs } from './text.ts';
import { type PackageSource, type Parsed, type SourceContext, warnInvalid } from './types.ts';

export type RpmFrontend = 'dnf5' | 'dnf' | 'yum';

export interface RpmSourceOptions {
  /** Which tool to ask for updates; detected from /usr/bin when absent. */
  readonly frontend?: RpmFrontend;
}

const RPMDB_DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'];
const METADATA = [...RPMDB_DIRS, '/var/cache/dnf', '/var/cache/libdnf5', '/var/cache/yum', '/etc/yum.repos.d', '/etc/dnf'];

/** Commands per frontend; -C (cache only) keeps the agent off the network and away from root-owned caches. */
const COMMANDS: Record<RpmFrontend, { check: string[]; list: string[]; info: string[] }> = {
  dnf5: { check: ['-C', '-q', 'check-upgrade'], list: ['-C', '-q', 'advisory', 'list', '--updates', '--json'], info: ['-C', '-q', 'advisory', 'info', '--updates', '--json'] },
  dnf: { check: ['-C', '-q', 'check-update'], list: ['-C', '-q', 'updateinfo', 'list', '--updates'], info: ['-C', '-q', 'updateinfo', 'info', '--updates'] },
  yum: { check: ['-C', '-q', 'check-update'], list: ['-C', '-q', 'updateinfo', 'list', 'updates'], info: ['-C', '-q', 'updateinfo', 'info', 'updates'] },
};

async function exists(ctx: SourceContext, path: string): Promise<boolean> {
  return access(join(ctx.root, path)).then(() => true, () => false);
}

export async function detectFrontend(ctx: SourceContext): Promise<RpmFrontend | null> {
  for (const f of ['dnf5', 'dnf', 'yum'] as const) {
    if ((await exists(ctx, `/usr/bin/${f}`)) || (await exists(ctx, `/bin/${f}`))) return f;
  }
  return null;
}

export async function rpmInstalled(ctx: SourceContext): Promise<Package[]> {
  const args = [...rootArgs('rpm', ctx.root), ...RPM_QUERY_ARGS];
  const res = await ctx.exec('rpm', args, { timeoutMs: 60_000 });
  if (res.code !== 0 && res.stdout.trim() === '') throw agtError('AGT_INVENTORY_FAILED', `rpm -qa exited with ${res.code}: ${firstLine(res.stderr)}`);
  const parsed = parseRpmQuery(res.stdout);
  warnInvalid(ctx, 'AGT_INVENTORY_LINE_INVALID', 'rpm -qa', parsed.invalid);
  if (parsed.truncated || res.code !== 0) ctx.warn('AGT_INVENTORY_TRUNCATED', `rpm -qa output ${parsed.truncated ? 'ends mid-line' : `came with exit code ${res.code}`}; the inventory may be incomplete`);
  return parsed.items;
}

export async function rpmdbPresent(ctx: SourceContext): Promise<boolean> {
  for (const d of RPMDB_DIRS) if (await exists(ctx, d)) return true;
  return false;
}

async function advisories(ctx: SourceContext, tool: RpmFrontend): Promise<{ refs: AdvisoryRef[]; infos: AdvisoryInfo[] }> {
  const run = async <T>(args: string[], parse: (text: string) => Parsed<T>): Promise<T[]> => {
    try {
      const res = await ctx.exec(tool, [...rootArgs(tool, ctx.root), ...args], { timeoutMs: 180_000 });
      if (res.code !== 0) {
        ctx.warn('AGT_ADVISORIES_FAILED', `${tool} ${args.slice(2, 4).join(' ')} exited with ${res.code}: ${firstLine(res.stderr)}`);
        return [];
      }
      const parsed = parse(res.stdout);
      warnInvalid(ctx, 'AGT_PENDING_LINE_INVALID', `${tool} ${args.slice(2, 4).join(' ')}`, parsed.invalid);
      return parsed.items;
    } catch (e) {
      ctx.warn('AGT_ADVISORIES_FAILED', `${tool}: ${(e as Error).message}`);
      return [];
    }
  };
  const c = COMMANDS[tool];
  const [refs, infos] = await Promise.all([
    run(c.list, tool === 'dnf5' ? parseDnf5AdvisoryList : parseUpdateinfoList),
    run(c.info, (t) => (tool === 'dnf5' ? parseDnf5AdvisoryInfo(t, ctx.localTime) : parseUpdateinfoInfo(t, ctx.localTime))),
  ]);
  return { refs, infos };
}

export function rpmSource(options: RpmSourceOptions = {}): PackageSource {
  const inventories = new WeakMap<SourceContext, Promise<Package[]>>();
  const installedOnce = (ctx: SourceContext): Promise<Package[]> => {
    let p = inventories.get(ctx);
    if (!p) inventories.set(ctx, (p = rpmInstalled(ctx)));
    return p;
  };
  const frontend = async (ctx: SourceContext) => options.frontend ?? (await detectFrontend(ctx));
  return {
    manager: 'rpm',
    name: `rpm/${options.frontend ?? 'dnf'}`,
    detect: rpmdbPresent,
    installed: installedOnce,

    async pending(ctx): Promise<PendingUpdate[]> {
      const tool = await frontend(ctx);
      if (!tool) {
        ctx.warn('AGT_PENDING_FAILED', 'neither dnf5, dnf nor yum is installed: pending updates unknown');
        return [];
      }
      return memoByFiles(ctx, `rpm:pending:${tool}`, METADATA, async (c) => {
        const res = await c.exec(tool, [...rootArgs(tool, c.root), ...COMMANDS[tool].check], { timeoutMs: 180_000 });
        if (res.code !== 0 && res.code !== 100) {
          c.warn('AGT_PENDING_FAILED', `${tool} ${COMMANDS[tool].check[2]} exited with ${res.code}: ${firstLine(res.stderr)}`);
          return [];
        }
        const updates = parseDnfCheckUpdate(res.stdout);
        warnInvalid(c, 'AGT_PENDING_LINE_INVALID', `${tool} check-update`, updates.invalid);
        if (updates.items.length === 0) return [];
        const [adv, installed] = await Promise.all([advisories(c, tool), installedOnce(ctx).catch(() => [])]);
        return applyAdvisories(updates.items, installed, adv.refs, adv.infos);
      });
    },

    async history(ctx, since): Promise<HistoryEvent[]> {
      const tool = await frontend(ctx);
      const events: HistoryEvent[] = [];
      if (tool === 'yum') {
        for (const log of await readRotatedLogs(ctx, '/var/log/yum.log', { since, required: true })) {
          const parsed = parseYumLog(log.text, ctx.localTime, log.mtime, since);
          warnInvalid(ctx, 'AGT_LOG_LINE_INVALID', log.path, parsed.invalid);
          events.push(...parsed.items);
        }
        return events;
      }
      for (const log of await readRotatedLogs(ctx, '/var/log/dnf.rpm.log', { since, required: tool === 'dnf' })) {
        const parsed = parseDnfRpmLog(log.text, ctx.localTime, since);
        warnInvalid(ctx, 'AGT_LOG_LINE_INVALID', log.path, parsed.invalid);
        events.push(...parsed.items);
      }
      return events;
    },
  };
}

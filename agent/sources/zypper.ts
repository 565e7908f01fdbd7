// SUSE: inventory from rpm, pending package updates and needed patches (category, severity, CVEs)
// from zypper's XML output without refreshing, history from /var/log/zypp/history.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryEvent, Package, PendingUpdate } from '../../evidence/types.gen.ts';
import type { AdvisoryInfo, AdvisoryRef } from './dnf-updateinfo.ts';
import { readRotatedLogs } from './log-files.ts';
import { memoByFiles } from './memo.ts';
import { applyAdvisories } from './rpm-advisories.ts';
import { rpmdbPresent, rpmInstalled } from './rpm.ts';
import { firstLine, rootArgs } from './text.ts';
import { type PackageSource, type SourceContext, warnInvalid } from './types.ts';
import { parseZyppHistory } from './zypp-history.ts';
import { parseZypperPatches, parseZypperPatchInfo, parseZypperUpdates, type ZypperPatch } from './zypper-xml.ts';

const BASE = ['--non-interactive', '--no-refresh'];
const base = (ctx: SourceContext) => [...BASE, ...rootArgs('zypper', ctx.root)];
const METADATA = ['/var/lib/rpm', '/usr/lib/sysimage/rpm', '/var/cache/zypp/solv', '/var/cache/zypp/raw', '/etc/zypp/repos.d'];
const INFO_BATCH = 100;

/** Maps each needed patch to the name.arch pairs it fixes (from `zypper info -t patch`). */
async function patchPackages(ctx: SourceContext, patches: readonly ZypperPatch[]): Promise<AdvisoryRef[]> {
  const refs: AdvisoryRef[] = [];
  for (let i = 0; i < patches.length; i += INFO_BATCH) {
    const batch = patches.slice(i, i + INFO_BATCH);
    const res = await ctx.exec('zypper', [...base(ctx), 'info', '-t', 'patch', ...batch.map((p) => p.name)], { timeoutMs: 180_000 });
    if (res.code !== 0) {
      ctx.warn('AGT_ADVISORIES_FAILED', `zypper info -t patch exited with ${res.code}: ${firstLine(res.stderr)}`);
      continue;
    }
    const map = parseZypperPatchInfo(res.stdout);
    for (const p of batch) {
      const type = p.category === 'security' ? 'security' : p.category === 'recommended' ? 'bugfix' : p.category === 'feature' ? 'enhancement' : 'unknown';
      for (const pkg of map.get(p.name) ?? []) {
        refs.push({ id: p.name, type, ...(p.severity ? { severity: p.severity } : {}), nevra: { name: pkg.name, arch: pkg.arch, epoch: 0, version: '', release: '' } });
      }
    }
  }
  return refs;
}

async function pendingUpdates(ctx: SourceContext, installed: () => Promise<Package[]>): Promise<PendingUpdate[]> {
  const upd = await ctx.exec('zypper', [...base(ctx), '--xmlout', 'list-updates'], { timeoutMs: 180_000 });
  if (upd.code !== 0) {
    ctx.warn('AGT_PENDING_FAILED', `zypper list-updates exited with ${upd.code}: ${firstLine(upd.stderr || upd.stdout)}`);
    return [];
  }
  const updates = parseZypperUpdates(upd.stdout);
  warnInvalid(ctx, 'AGT_PENDING_LINE_INVALID', 'zypper list-updates', updates.invalid);
  if (updates.items.length === 0) return [];
  let refs: AdvisoryRef[] = [];
  let infos: AdvisoryInfo[] = [];
  const lp = await ctx.exec('zypper', [...base(ctx), '--xmlout', 'list-patches'], { timeoutMs: 180_000 });
  // list-patches exits 100 (patches needed) or 101 (security patches needed) on success
  if (lp.code === 0 || lp.code === 100 || lp.code === 101) {
    const patches = parseZypperPatches(lp.stdout);
    warnInvalid(ctx, 'AGT_PENDING_LINE_INVALID', 'zypper list-patches', patches.invalid);
    const needed = patches.items.filter((p) => p.status === 'needed');
    infos = needed.map((p) => ({ id: p.name, type: p.category, cves: p.cves, ...(p.severity ? { severity: p.severity } : {}), ...(p.issued ? { issued: p.issued } : {}) }));
    refs = await patchPackages(ctx, needed);
  } else {
    ctx.warn('AGT_ADVISORIES_FAILED', `zypper list-patches exited with ${lp.code}: ${firstLine(lp.stderr || lp.stdout)}`);
  }
  return applyAdvisories(updates.items, await installed().catch(() => []), refs, infos);
}

export function zypperSource(): PackageSource {
  const inventories = new WeakMap<SourceContext, Promise<Package[]>>();
  const installedOnce = (ctx: SourceContext): Promise<Package[]> => {
    let p = inventories.get(ctx);
    if (!p) inventories.set(ctx, (p = rpmInstalled(ctx)));
    return p;
  };
  return {
    manager: 'rpm',
    name: 'rpm/zypper',
    async detect(ctx) {
      const zypper = await access(join(ctx.root, '/usr/bin/zypper')).then(() => true, () => false);
      return zypper && (await rpmdbPresent(ctx));
    },
    installed: installedOnce,
    pending(ctx) {
      return memoByFiles(ctx, 'zypper:pending', METADATA, (c) => pendingUpdates(c, () => installedOnce(ctx)));
    },
    async history(ctx, since): Promise<HistoryEvent[]> {
      // one text, oldest first: an upgrade is told from an install by the previous row of the package
      const logs = await readRotatedLogs(ctx, '/var/log/zypp/history', { required: true });
      const parsed = parseZyppHistory(logs.map((l) => l.text).join('\n'), ctx.localTime, since);
      warnInvalid(ctx, 'AGT_LOG_LINE_INVALID', '/var/log/zypp/history', parsed.invalid);
      return parsed.items;
    },
  };
}

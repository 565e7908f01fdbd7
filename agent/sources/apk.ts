// Alpine: inventory straight from the apk database file (no exec), pending upgrades from the
// local index cache via `apk list -u`. apk keeps no change log, so history is left to the collector.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Package, PendingUpdate } from '../../evidence/types.gen.ts';
import { agtError } from '../errors.ts';
import { parseApkInstalled } from './apk-db.ts';
import { parseApkListUpgradable, parseApkVersion } from './apk-upgrades.ts';
import { memoByFiles } from './memo.ts';
import { firstLine, rootArgs } from './text.ts';
import { type PackageSource, type SourceContext, warnInvalid } from './types.ts';

export const APK_DB = '/lib/apk/db/installed';
const METADATA = [APK_DB, '/var/cache/apk', '/etc/apk/repositories', '/etc/apk/world'];

async function installed(ctx: SourceContext): Promise<Package[]> {
  let text: string;
  try {
    text = await readFile(join(ctx.root, APK_DB), 'utf8');
  } catch (e) {
    throw agtError('AGT_INVENTORY_FAILED', `${APK_DB}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`, { cause: e });
  }
  const parsed = parseApkInstalled(text);
  warnInvalid(ctx, 'AGT_INVENTORY_LINE_INVALID', APK_DB, parsed.invalid);
  if (parsed.truncated) ctx.warn('AGT_INVENTORY_TRUNCATED', `${APK_DB} ends mid-stanza; the inventory may be incomplete`);
  return parsed.items;
}

async function pending(ctx: SourceContext): Promise<PendingUpdate[]> {
  const list = await ctx.exec('apk', [...rootArgs('apk', ctx.root), 'list', '-u'], { timeoutMs: 120_000 }).catch((e: Error) => e);
  if (!(list instanceof Error) && list.code === 0) {
    const parsed = parseApkListUpgradable(list.stdout);
    warnInvalid(ctx, 'AGT_PENDING_LINE_INVALID', 'apk list -u', parsed.invalid);
    return parsed.items;
  }
  // apk-tools before 2.9 has no `list`: fall back to the version table
  const res = await ctx.exec('apk', [...rootArgs('apk', ctx.root), 'version', '-l', '<'], { timeoutMs: 120_000 });
  if (res.code !== 0) {
    ctx.warn('AGT_PENDING_FAILED', `apk version exited with ${res.code}: ${firstLine(res.stderr)}`);
    return [];
  }
  const arches = new Map((await installed(ctx).catch(() => [])).map((p) => [p.name, p.arch]));
  const parsed = parseApkVersion(res.stdout, (n) => arches.get(n) ?? '');
  warnInvalid(ctx, 'AGT_PENDING_LINE_INVALID', 'apk version', parsed.invalid);
  return parsed.items;
}

export function apkSource(): PackageSource {
  return {
    manager: 'apk',
    name: 'apk',
    async detect(ctx) {
      return access(join(ctx.root, APK_DB)).then(() => true, () => false);
    },
    installed,
    pending: (ctx) => memoByFiles(ctx, 'apk:pending', METADATA, pending),
    async history() {
      return [];
    },
  };
}

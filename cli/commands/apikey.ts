// `patchproof apikey create|list|revoke --home DIR`: admin API keys. `create` prints the key once
// (stdout, alone on its line); only its hash is kept.
import { resolve } from 'node:path';
import { createApiKey, revokeApiKey } from '../../collector/admin-actions.ts';
import { actors } from '../../collector/audit.ts';
import { openOfflineAdmin, reportQueued } from '../../collector/offline-admin.ts';
import { cliError, parseOptions, requireOption } from '../errors.ts';
import type { CliIO } from '../io.ts';

const HELP = `Usage:
  patchproof apikey create --home DIR --role owner|admin|operator|auditor --name NAME [--json]
  patchproof apikey list   --home DIR [--json]
  patchproof apikey revoke --home DIR ID
`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseOptions(rest, {
    home: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (sub === undefined || sub === 'help' || sub === '--help' || values.help) {
    io.stdout(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (!['create', 'list', 'revoke'].includes(sub)) throw cliError('CLI_USAGE', `unknown apikey subcommand "${sub}"`);
  const admin = await openOfflineAdmin(resolve(io.cwd, requireOption(values.home, 'home')));
  const ctx = { state: admin.state, actor: actors.cli(), source: null, now: admin.clock(), record: admin.record };
  try {
    if (sub === 'create') {
      const { key, secret } = await createApiKey(ctx, { role: requireOption(values.role, 'role'), name: requireOption(values.name, 'name') });
      if (values.json) io.stdout(JSON.stringify({ ...key, secret }) + '\n');
      else {
        io.stdout(`${secret}\n`);
        io.stderr(`API key ${key.id} (${key.role}, "${key.name}"). Shown once; only its hash is stored.\n`);
      }
    } else if (sub === 'list') {
      const keys = admin.state.apiKeys.list();
      if (values.json) io.stdout(JSON.stringify(keys) + '\n');
      else for (const k of keys) io.stdout(`${k.id}\t${k.role}\t${k.revoked_at ? `revoked ${k.revoked_at}` : 'active'}\t${k.name}\tlast used ${k.last_used_at ?? 'never'}\n`);
    } else {
      const id = positionals[0];
      if (!id) throw cliError('CLI_USAGE', 'apikey revoke needs the key id (key_…)');
      const k = await revokeApiKey(ctx, id);
      io.stdout(`${k.id} revoked at ${k.revoked_at}\n`);
    }
  } finally {
    reportQueued(io, (await admin.finish()).queued);
  }
  return 0;
}

// `patchproof token create|list|revoke --home DIR`: enrolment tokens. `create` prints the token
// once (stdout, alone on its line; details on stderr); only its hash is kept.
import { resolve } from 'node:path';
import { createEnrolToken, revokeEnrolToken } from '../../collector/admin-actions.ts';
import { actors } from '../../collector/audit.ts';
import { openOfflineAdmin, reportQueued } from '../../collector/offline-admin.ts';
import { cliError, parseOptions, requireOption } from '../errors.ts';
import type { CliIO } from '../io.ts';

const HELP = `Usage:
  patchproof token create --home DIR [--cidr CIDR]... [--max-per-day N] [--expires WHEN] [--group NAME] [--json]
  patchproof token list   --home DIR [--json]
  patchproof token revoke --home DIR ID

  --cidr         allowed source network (repeatable; IPv4 or IPv6); none = any address
  --max-per-day  enrolments allowed per UTC day
  --expires      ISO time, or a duration from now: 30m, 12h, 7d, 2w
  --group        default host group for hosts enrolled with it (default "default")
`;


export async function run(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseOptions(rest, {
    home: { type: 'string' },
    cidr: { type: 'string', multiple: true },
    'max-per-day': { type: 'string' },
    expires: { type: 'string' },
    group: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (sub === undefined || sub === 'help' || sub === '--help' || values.help) {
    io.stdout(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (!['create', 'list', 'revoke'].includes(sub)) throw cliError('CLI_USAGE', `unknown token subcommand "${sub}"`);
  const admin = await openOfflineAdmin(resolve(io.cwd, requireOption(values.home, 'home')));
  const ctx = { state: admin.state, actor: actors.cli(), source: null, now: admin.clock(), record: admin.record };
  try {
    if (sub === 'create') {
      const max = values['max-per-day'];
      if (max !== undefined && !/^\d{1,7}$/.test(max)) throw cliError('CLI_USAGE', '--max-per-day takes a positive integer');
      const { token, secret } = await createEnrolToken(ctx, {
        cidrs: values.cidr ?? [],
        ...(max === undefined ? {} : { max_per_day: Number(max) }),
        ...(values.expires === undefined ? {} : { expires: values.expires }),
        ...(values.group === undefined ? {} : { group: values.group }),
      });
      if (values.json) io.stdout(JSON.stringify({ ...token, secret }) + '\n');
      else {
        io.stdout(`${secret}\n`);
        io.stderr(`enrolment token ${token.id}: group ${token.group}, cidrs ${token.cidrs.join(',') || 'any'}, max/day ${token.max_per_day ?? 'unlimited'}, expires ${token.expires_at ?? 'never'}\n`);
        io.stderr('The token is shown once; only its hash is stored.\n');
      }
    } else if (sub === 'list') {
      const tokens = admin.state.tokens.list();
      if (values.json) io.stdout(JSON.stringify(tokens) + '\n');
      else {
        for (const t of tokens) {
          const status = t.revoked_at ? `revoked ${t.revoked_at}` : t.expires_at && t.expires_at <= admin.clock().toISOString() ? 'expired' : 'active';
          io.stdout(`${t.id}\t${status}\tgroup=${t.group}\tcidrs=${t.cidrs.join(',') || 'any'}\tmax/day=${t.max_per_day ?? '-'}\texpires=${t.expires_at ?? 'never'}\tuses=${t.uses}\n`);
        }
      }
    } else {
      const id = positionals[0];
      if (!id) throw cliError('CLI_USAGE', 'token revoke needs the token id (tok_…)');
      const t = await revokeEnrolToken(ctx, id);
      io.stdout(`${t.id} revoked at ${t.revoked_at}\n`);
    }
  } finally {
    reportQueued(io, (await admin.finish()).queued);
  }
  return 0;
}

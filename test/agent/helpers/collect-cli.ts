// Runs collect() in its own process and prints the body as JSON: the live tests start it as
// user `nobody` to prove the agent needs no privileges. argv[2]: JSON {root?, since?, pending?}.
import { collect } from '../../../agent/collect.ts';
import { dpkgSource } from '../../../agent/sources/dpkg.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as { root?: string; since?: string; pending?: boolean };
const { body } = await collect({
  ...(opts.root ? { root: opts.root } : {}),
  ...(opts.since ? { since: new Date(opts.since) } : {}),
  ...(opts.pending === false ? { sources: [dpkgSource({ pending: false })] } : {}),
});
process.stdout.write(JSON.stringify({ uid: process.getuid?.(), body }));

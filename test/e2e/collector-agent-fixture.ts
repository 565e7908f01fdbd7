// A real agent process (agent/main.ts: real runner, spool, state and TLS transport) whose package
// collection is stubbed so it can report many times a second: the package list changes every
// ~700 ms, so most reports become new evidence. Used by the collector's fault tests.
import { agentMain } from '../../agent/main.ts';
import { makeBody, pkgs } from '../agent/helpers/fake-collect.ts';

const hostname = process.env.PP_HOSTNAME ?? 'fault-host';
const code = await agentMain(
  process.argv.slice(2),
  { stdout: (s) => void process.stdout.write(s), stderr: (s) => void process.stderr.write(s), env: process.env },
  {
    collect: async ({ now }) => {
      const t = now?.() ?? new Date();
      return { body: makeBody(t, pkgs(`openssl=3.0.${Math.floor(t.getTime() / 700) % 5}`, 'bash=5.2-1', 'curl=8.5.0-2'), { hostname }) };
    },
    runner: { backoff: { baseMs: 50, capMs: 500 }, ackTimeoutMs: 5000 },
  },
);
process.exitCode = code;

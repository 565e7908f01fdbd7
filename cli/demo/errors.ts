// The demo's error codes: what can go wrong around the components it wires (tools missing, the
// collector thread, the admin API, agents that never get an answer), with what to do about it.
import { defineErrors, type ErrorCatalog } from '../../evidence/errors.ts';

export const DEMO_ERRORS = {
  CLI_DEMO_TLS: { title: 'Could not make the demo certificates', hint: 'The demo needs the openssl command line tool (apt-get install openssl).' },
  CLI_DEMO_COLLECTOR: { title: 'The demo collector failed', hint: 'The home is kept: its state/ and evidence/ show how far it got.' },
  CLI_DEMO_ADMIN_API: { title: 'The collector admin API refused a demo request' },
  CLI_DEMO_STUCK: { title: 'Simulated agents got no answer', hint: 'Run again; if it repeats, the collector or agent logs above say why.' },
  CLI_DEMO_BUILD: { title: 'The site build failed', hint: 'The evidence is complete: run `patchproof build` on the home to see the whole error.' },
} as const satisfies ErrorCatalog;

export const demoError = defineErrors(DEMO_ERRORS);

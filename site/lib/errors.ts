// Site-layer error codes (SITE_*): what can go wrong while building the auditor site and packs,
// each with a hint the person running `patchproof build` can act on.
import { defineErrors, type ErrorCatalog } from '../../evidence/errors.ts';

export const SITE_ERRORS = {
  SITE_MODEL_MISSING: {
    title: 'No compliance model given to the site build',
    hint: 'Run the build through `patchproof build`, or set PATCHPROOF_MODEL to the absolute path of a model.json.',
  },
  SITE_MODEL_INVALID: {
    title: 'The compliance model cannot be used',
    hint: 'Re-run `patchproof evaluate`; the model must match compliance/schemas/compliance-model.schema.json.',
  },
  SITE_EVIDENCE_MISSING: {
    title: 'A file the model cites is missing from the evidence repository',
    hint: 'Build from the repository and commit the model was evaluated from (inputs.repo_commit).',
  },
  SITE_EVIDENCE_MISMATCH: {
    title: 'An evidence file does not match the sha256 recorded in the model',
    hint: 'The repository changed after evaluation, or the wrong repository was given; evaluate again.',
  },
  SITE_POLICY_MISSING: {
    title: 'A policy the model used is not in the policies folder',
    hint: 'Pass the same --policies DIR that was used for evaluation.',
  },
  SITE_ASTRO_FAILED: { title: 'The Astro build failed', hint: 'The message above names the page or component that failed.' },
  SITE_PAGEFIND_FAILED: { title: 'The search index could not be built' },
  SITE_PDF_FAILED: { title: 'A PDF evidence pack could not be rendered' },
  SITE_SLUG_COLLISION: { title: 'Two items map to the same page address', hint: 'Rename one of the controls or policies.' },
  SITE_USAGE: { title: 'Invalid build options', hint: 'Run `patchproof build --help`.' },
} as const satisfies ErrorCatalog;

export const siteError = defineErrors(SITE_ERRORS);

// Compliance-layer error codes (CMP_*): one catalog so the CLI and the site can show a stable
// code, a title and a hint for every expected failure of the judgement layer.

import { defineErrors, type ErrorCatalog } from '../evidence/errors.ts';

export const CMP_ERRORS = {
  CMP_VERSION_INVALID: {
    title: 'Version string is not valid for its ecosystem',
    hint: 'Versions are compared exactly as dpkg, rpm or apk would; an invalid version is never guessed at. Check the value reported by the host or the advisory.',
    status: 400,
  },
  CMP_ADVISORY_VERSION_UNPARSED: {
    title: 'Advisory entry left out: a version does not parse',
    hint: 'Recorded in the model (unjudged.advisory_entries), not thrown: the entry could not be compared with any host. Report it to the advisory source; a newer snapshot may fix it.',
  },
  CMP_INSTALLED_VERSION_UNPARSED: {
    title: 'Installed package not judged: its version does not parse',
    hint: 'Recorded in the model (unjudged.installed_packages), not thrown: no advisory was compared with the package. Check the version the host reported (`git show` the cited report).',
  },
  CMP_POLICY_CONTROL_UNKNOWN: {
    title: 'Policy names a control that is not in the catalog',
    hint: 'Recorded in the model (warnings), not thrown: nothing judges that control. Fix the controls list in the policy front matter; the ids are in compliance/controls/catalog.yaml.',
  },
  CMP_ECOSYSTEM_UNKNOWN: {
    title: 'Unknown or unsupported ecosystem',
    hint: 'Supported version orders are dpkg, rpm and apk; supported hosts are Debian, Ubuntu, AlmaLinux, Rocky Linux, Red Hat Enterprise Linux and Alpine.',
    status: 400,
  },
  CMP_OSV_INVALID: {
    title: 'Advisory does not match the OSV schema',
    hint: 'The record is skipped; fix it upstream or remove it from the import.',
    status: 400,
  },
  CMP_ADVISORY_SOURCE: {
    title: 'Advisory source cannot be read',
    hint: 'Give a folder of OSV JSON files or an OSV all.zip export.',
  },
  CMP_SNAPSHOT_NOT_FOUND: {
    title: 'Advisory snapshot not found',
    hint: 'Import advisories first with `patchproof advisories import PATH --home DIR`.',
  },
  CMP_SNAPSHOT_INVALID: {
    title: 'Advisory snapshot is damaged or was changed',
    hint: 'Its content no longer matches the recorded sha256; import the advisories again.',
  },
  CMP_SEVERITY_CLASSES_INVALID: {
    title: 'Severity classes are not usable',
    hint: 'Each class needs an id and either vendor labels or a CVSS score range with min <= max.',
    status: 400,
  },
  CMP_USAGE: {
    title: 'Invalid command-line arguments',
    hint: 'Run the command with --help to see its usage.',
    status: 400,
  },
  CMP_POLICY_INVALID: {
    title: 'Policy front matter is not valid',
    hint: 'Policies are Markdown files with YAML front matter between --- lines; see compliance/schemas/policy.schema.json and templates/policy.mdx.',
    status: 400,
  },
  CMP_POLICY_NOT_FOUND: {
    title: 'No usable policy found',
    hint: 'Give --policies DIR with at least one policy whose front matter has severity_classes (the default set is in the project\'s policies/ folder).',
  },
  CMP_PERIOD_INVALID: {
    title: 'Audit period is not valid',
    hint: 'Write the period as YYYY-MM-DD..YYYY-MM-DD (both days inclusive, start before end).',
    status: 400,
  },
  CMP_EVIDENCE_INVALID: {
    title: 'Evidence cannot be judged',
    hint: 'Run `patchproof verify` on the evidence repository; the named file is missing or malformed.',
  },
  CMP_MODEL_INVALID: {
    title: 'Compliance model does not match its schema',
    hint: 'This is a bug in the judgement layer or a model file from another version; re-run `patchproof evaluate`.',
  },
  CMP_TEMPLATE_INVALID: {
    title: 'Scaffolded file does not validate',
    hint: 'Check the template in templates/ and the options given to `patchproof new`.',
  },
  CMP_CONTROLS_INVALID: {
    title: 'Control catalog is not valid',
    hint: 'Each control in compliance/controls/catalog.yaml needs framework, id, title and known evaluators.',
  },
} as const satisfies ErrorCatalog;

export const cmpError = defineErrors(CMP_ERRORS);

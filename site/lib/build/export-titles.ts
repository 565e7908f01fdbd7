// What each file of exports/ holds, in the words the Exports page lists it with. Every file the
// build writes there needs a line; a test checks them against the CSVs compliance/export-csv.ts renders.

export const EXPORT_TITLES: Readonly<Record<string, string>> = {
  'model.json': 'The compliance model (canonical JSON): every figure on this site',
  'hosts.csv': 'Host inventory with status',
  'findings.csv': 'Findings with SLA clocks and evidence',
  'patch-events.csv': 'Package changes with the reports that recorded them',
  'exceptions.csv': 'Exceptions with approvers and status',
  'coverage.csv': 'Evidence coverage by month',
  'unjudged.csv': 'Installed packages and advisory entries that could not be judged (version does not parse)',
};

// Status words for every status the model uses: a label and a symbol, so a status is readable
// in print and without colour; `tone` only picks the colour.
import type { ControlStatus, ExceptionStatus, FindingStatus, HostFindingKind, HostStatus } from './model-types.ts';

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';
export interface StatusWord {
  label: string;
  tone: Tone;
  symbol: string;
}

const good = (label: string): StatusWord => ({ label, tone: 'good', symbol: '✓' });
const warn = (label: string): StatusWord => ({ label, tone: 'warn', symbol: '!' });
const bad = (label: string): StatusWord => ({ label, tone: 'bad', symbol: '✗' });
const neutral = (label: string): StatusWord => ({ label, tone: 'neutral', symbol: '–' });

export const FINDING_STATUS: Record<FindingStatus, StatusWord> = {
  'fixed-in-sla': good('Fixed within SLA'),
  'fixed-late': warn('Fixed late'),
  'open-within-sla': neutral('Open, within SLA'),
  'open-overdue': bad('Open, overdue'),
  excepted: neutral('Excepted'),
  'exception-expired': bad('Exception expired'),
  'unfixed-upstream': neutral('No fix upstream'),
};

export const HOST_STATUS: Record<HostStatus, StatusWord> = {
  ok: good('OK'),
  'findings-overdue': bad('Findings overdue'),
  stale: bad('Not reporting'),
  decommissioned: neutral('Decommissioned'),
  'out-of-scope': neutral('Out of scope'),
};

export const CONTROL_STATUS: Record<ControlStatus, StatusWord> = {
  effective: good('Effective'),
  partial: warn('Partially effective'),
  deficient: bad('Deficient'),
  'not-applicable': neutral('Not applicable'),
};

export const EXCEPTION_STATUS: Record<ExceptionStatus, StatusWord> = {
  active: good('Active'),
  expired: bad('Expired'),
  unapproved: bad('Not approved'),
  'self-approved': bad('Self-approved'),
};

export const HOST_FINDING_KIND: Record<HostFindingKind, string> = {
  'stale-host': 'Host not reporting',
  'missing-owner': 'No owner recorded',
  'missing-classification': 'No classification recorded',
  'reboot-debt': 'Reboot pending (running kernel older than installed)',
  'chain-gap': 'Gap in the report chain',
  'coverage-gap': 'Days without evidence',
  'decommissioned-reporting': 'Decommissioned host still reporting',
};

export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'] as const;

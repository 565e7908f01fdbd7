// The ComplianceModel types the site renders, under the short names the pages use. The shapes
// are the compliance layer's (compliance/model-types.ts, checked against the model's JSON Schema
// by evaluate()); nothing is redeclared here.
import type {
  ComplianceModel,
  ModelAuditEntry,
  ModelControl,
  ModelCoverageMonth,
  ModelException,
  ModelFinding,
  ModelHost,
  ModelHostFinding,
  ModelPatchEvent,
  ModelPolicy,
  ModelWarning,
} from '../../compliance/model-types.ts';

export type {
  ComplianceModel,
  ControlEvidence,
  ControlStatus,
  EvidenceRef,
  ExceptionStatus,
  FindingStatus,
  HostFindingKind,
  HostStatus,
  MetricRow,
} from '../../compliance/model-types.ts';
export type { Framework, SeverityClassId } from '../../compliance/policy.ts';

export type Policy = ModelPolicy;
export type SeverityClass = ModelPolicy['severity_classes'][number];
export type KeyInfo = ComplianceModel['keys'][number];
export type Host = ModelHost;
export type Finding = ModelFinding;
export type HostFinding = ModelHostFinding;
export type PatchEvent = ModelPatchEvent;
export type ExceptionInfo = ModelException;
export type CoverageMonth = ModelCoverageMonth;
export type Control = ModelControl;
export type AuditRow = ModelAuditEntry;
export type InputWarning = ModelWarning;
export type Bucket = ComplianceModel['metrics']['ttr_histogram'][number];

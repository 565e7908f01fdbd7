// The parts of an OSV record (compliance/schemas/osv-schema.json) the judgement layer reads;
// records are validated against the schema before they are treated as these types.

export interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

export interface OsvRange {
  readonly type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
  readonly database_specific?: Record<string, unknown>;
}

export interface OsvSeverity {
  readonly type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'Ubuntu';
  readonly score: string;
}

export interface OsvAffected {
  readonly package?: { readonly ecosystem: string; readonly name: string; readonly purl?: string };
  readonly severity?: readonly OsvSeverity[] | null;
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
  readonly ecosystem_specific?: Record<string, unknown>;
  readonly database_specific?: Record<string, unknown>;
}

export interface OsvRecord {
  readonly schema_version?: string;
  readonly id: string;
  readonly modified: string;
  readonly published?: string;
  readonly withdrawn?: string;
  readonly aliases?: readonly string[] | null;
  readonly related?: readonly string[];
  readonly upstream?: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly severity?: readonly OsvSeverity[] | null;
  readonly affected?: readonly OsvAffected[] | null;
  readonly references?: readonly { readonly type: string; readonly url: string }[] | null;
  readonly database_specific?: Record<string, unknown>;
}

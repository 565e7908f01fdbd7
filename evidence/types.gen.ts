// Generated from evidence/schemas/*.schema.json by `npm run gen:types`. Do not edit by hand.

/* eslint-disable */

export interface Package {
/**
 * Package name, architecture or version: no whitespace, slashes or control characters.
 */
name: string
arch: string
/**
 * Package name, architecture or version: no whitespace, slashes or control characters.
 */
version: string
/**
 * Package name, architecture or version: no whitespace, slashes or control characters.
 */
source?: string
/**
 * Package name, architecture or version: no whitespace, slashes or control characters.
 */
source_version?: string
installed_at?: string
build_time?: string
}

export interface PendingUpdate {
/**
 * Package name, architecture or version: no whitespace, slashes or control characters.
 */
name: string
arch: string
installed: (string | null)
/**
 * Package name, architecture or version: no whitespace, slashes or control characters.
 */
candidate: string
security: boolean
/**
 * Free text on one line: no control characters.
 */
origin?: string
/**
 * @maxItems 256
 */
advisories?: string[]
severity?: string
issued?: string
}

export interface HistoryEvent {
time: string
action: ("install" | "upgrade" | "downgrade" | "remove" | "purge" | "reinstall")
/**
 * Package name, architecture or version: no whitespace, slashes or control characters.
 */
name: string
arch?: string
from?: (string | null)
to?: (string | null)
/**
 * Free text on one line: no control characters.
 */
by?: string
command?: string
}

export interface Warning {
code: string
message: string
}

export interface OsInfo {
id: string
/**
 * @maxItems 8
 */
id_like?: []|[string]|[string, string]|[string, string, string]|[string, string, string, string]|[string, string, string, string, string]|[string, string, string, string, string, string]|[string, string, string, string, string, string, string]|[string, string, string, string, string, string, string, string]
version_id?: string
version_codename?: string
/**
 * Free text on one line: no control characters.
 */
name?: string
/**
 * Free text on one line: no control characters.
 */
pretty_name?: string
variant_id?: string
}

export interface KernelInfo {
running: string
/**
 * @maxItems 64
 */
installed: string[]
reboot_required: boolean
reboot_reason?: (string | null)
/**
 * @maxItems 512
 * 
 * Items: Package name, architecture or version: no whitespace, slashes or control characters.
 */
reboot_packages?: string[]
}

/**
 * Written by the collector as canonical JSON (RFC 8785) beside a detached OpenPGP signature of the exact bytes.
 */

export interface ReportEnvelope {
schema: "patchproof.report/v1"
report_id: string
/**
 * Collector-assigned host id; never derived from agent input.
 */
host_id: string
/**
 * Per-host envelope number, contiguous from 1: a gap is missing evidence.
 */
seq: number
/**
 * The agent's own report counter (liveness-only reports are not written, so this has gaps).
 */
agent_seq: number
/**
 * sha256 of the host's previous envelope bytes; null only for seq 1.
 */
previous: (string | null)
reason: ("first" | "changed" | "heartbeat")
collected_at: string
received_at: string
/**
 * collected_at minus received_at (agent clock ahead is positive).
 */
clock_skew_ms: number
collector: {
id: string
key_fingerprint: string
}
agent_version: string
hostname: string
machine_id?: string
os: OsInfo
arch: string
kernel: KernelInfo
boot_time?: string
uptime_s?: number
/**
 * @maxItems 32
 */
addresses?: string[]
package_manager: ("dpkg" | "rpm" | "apk")
inventory: {
path: string
sha256: string
count: number
}
/**
 * @maxItems 20000
 */
changes: {
/**
 * Package name, architecture or version: no whitespace, slashes or control characters.
 */
name: string
arch: string
action: ("install" | "upgrade" | "downgrade" | "remove")
from: (string | null)
to: (string | null)
when: string
/**
 * log: exact time from the package manager's log; interval: not in a log, so `when` is the report time and `not_before` the previous report.
 */
when_source: ("log" | "interval")
not_before?: string
/**
 * Free text on one line: no control characters.
 */
by?: string
command?: string
}[]
/**
 * @maxItems 20000
 */
pending: PendingUpdate[]
/**
 * @maxItems 100
 */
warnings: Warning[]
/**
 * Recorded by the collector: out-of-order seq, clock skew beyond threshold, agent restarts.
 * 
 * @maxItems 100
 */
anomalies: Warning1[]
}

export interface Warning1 {
code: string
message: string
}

export interface HostRecord {
schema: "patchproof.host/v1"
/**
 * Collector-assigned host id; never derived from agent input.
 */
host_id: string
hostname: string
machine_id?: string
os: OsInfo
arch?: string
enrolled_at: string
/**
 * Enrolment token id (never the token itself).
 */
enrolled_via: string
group: string
collector_id: string
}

export interface HostMeta {
owner?: (string | null)
purpose?: (string | null)
classification?: (("restricted" | "confidential" | "internal" | "public") | null)
environment?: (string | null)
in_scope: boolean
/**
 * Ubuntu Pro (ESM) is attached to this Ubuntu host, so Ubuntu:Pro:<release> advisories apply to it as well. Declared by people: reports carry no Pro status.
 */
ubuntu_pro?: boolean
/**
 * @maxItems 8
 */
frameworks?: []|[("soc2" | "iso27001" | "pci-dss" | "hipaa")]|[("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa")]|[("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa")]|[("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa")]|[("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa")]|[("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa")]|[("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa")]|[("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa"), ("soc2" | "iso27001" | "pci-dss" | "hipaa")]
/**
 * @maxItems 32
 */
tags?: string[]
decommissioned_at?: (string | null)
notes?: (string | null)
}

export type ExceptionRecord = ({
[k: string]: unknown | undefined
} & {
id: string
/**
 * Free text on one line: no control characters.
 */
title: string
/**
 * Advisory ids or CVE ids covered.
 * 
 * @minItems 1
 * @maxItems 256
 */
advisories?: [string, ...(string)[]]
/**
 * Package or source-package names covered (any advisory).
 * 
 * @minItems 1
 * @maxItems 256
 * 
 * Items: Package name, architecture or version: no whitespace, slashes or control characters.
 */
packages?: [string, ...(string)[]]
/**
 * @minItems 1
 * @maxItems 10000
 */
hosts: [(string | "*" | string), ...((string | "*" | string))[]]
reason: string
risk_assessment: {
likelihood: ("low" | "medium" | "high")
impact: ("low" | "medium" | "high")
summary: string
}
/**
 * @minItems 1
 * @maxItems 32
 */
compensating_controls: [string, ...(string)[]]
planned_remediation: string
expires: string
/**
 * Free text on one line: no control characters.
 */
requested_by: string
/**
 * The risk owner who approved; null while pending.
 */
approver: (string | null)
approved_at: (string | null)
/**
 * Free text on one line: no control characters.
 */
ticket?: string
})

export interface AuditEntry {
schema: "patchproof.audit/v1"
/**
 * Global, contiguous across months.
 */
seq: number
time: string
actor: {
type: ("cli" | "api-key" | "device" | "enrolment-token" | "system" | "anonymous")
id: string
role?: ("owner" | "admin" | "operator" | "auditor")
}
source?: string
action: string
target?: {
type: string
id: string
}
outcome: ("success" | "refused")
code?: string
details?: {
[k: string]: string | number | boolean | null | string[] | undefined
}
/**
 * sha256 of the previous entry's line bytes (without newline); null only for seq 1.
 */
prev: (string | null)
}

export interface KeysFile {
/**
 * @maxItems 256
 */
keys: {
fingerprint: string
file: string
collector_id: string
algorithm?: string
/**
 * Free text on one line: no control characters.
 */
user_id?: string
valid_from: string
valid_until: (string | null)
/**
 * Compromised: nothing signed by it is trusted, whatever the window.
 */
revoked?: boolean
}[]
}

export interface CollectorConfig {
schema: "patchproof.config/v1"
/**
 * Free text on one line: no control characters.
 */
org: string
collector_id: string
/**
 * Path of the evidence repository, relative to the home or absolute.
 */
evidence_repo: string
/**
 * Path of the armored private key (mode 0600), relative to the home.
 */
signing_key: string
listen?: string
tls?: {
cert?: string
key?: string
}
evidence_cadence_s?: number
checkin_interval_s?: number
commit_window_ms?: number
max_frame_bytes?: number
/**
 * Pack the evidence repository with git gc at most this often; 0 never.
 */
gc_interval_s?: number
/**
 * Addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed for enrolment scopes, rate limits and audit source addresses. Empty: none.
 * 
 * @maxItems 32
 */
trust_proxy?: string[]
/**
 * The demo sets this; the evidence README and site then say the data is simulated.
 */
simulated?: boolean
}

export interface ReportBody {
collected_at: string
agent_version: string
hostname: string
machine_id?: string
os: OsInfo
arch: string
kernel: KernelInfo
boot_time?: string
uptime_s?: number
/**
 * @maxItems 32
 */
addresses?: string[]
package_manager: ("dpkg" | "rpm" | "apk")
inventory_sha256: string
inventory_count: number
/**
 * @maxItems 20000
 */
packages?: Package[]
/**
 * the full list: always from agents before pending_sha256 existed; otherwise only when it changed since the last acknowledged report or the collector asked
 * 
 * @maxItems 20000
 */
pending?: PendingUpdate[]
pending_sha256?: string
pending_count?: number
/**
 * @maxItems 20000
 */
history: HistoryEvent[]
/**
 * @maxItems 100
 */
warnings: Warning[]
}

export interface HelloMessage {
type: "hello"
protocol: 1
agent_version: string
last_acked_seq?: number
inventory_sha256?: string
pending_sha256?: string
/**
 * optional behaviours this agent understands; "rotate-token": config.rotate_token
 * 
 * @maxItems 32
 */
features?: string[]
}

export interface ReportMessage {
type: "report"
report_id: string
seq: number
body: ReportBody
}

export interface AckMessage {
type: "ack"
report_id: string
/**
 * written: a new envelope; liveness: state unchanged, only last-seen recorded; duplicate: already handled
 */
status: ("written" | "liveness" | "duplicate")
commit?: string
path?: string
}

export interface NackMessage {
type: "nack"
report_id?: (string | null)
code: string
message: string
/**
 * true: resend later (e.g. COL_INVENTORY_REQUIRED: resend with packages); false: the report will never be accepted
 */
retry: boolean
}

export interface CollectNowMessage {
type: "collect-now"
full_inventory?: boolean
/**
 * send the full pending list with the report; only sent to agents whose hello carried pending_sha256
 */
full_pending?: boolean
}

export interface ConfigMessage {
type: "config"
interval_s: number
jitter_s?: number
/**
 * the collector has no inventory matching the agent's last hash: send packages with the next report
 */
full_inventory?: boolean
/**
 * the collector has no pending list matching the hello's pending_sha256: send pending with the next report (only sent to agents whose hello carried pending_sha256)
 */
full_pending?: boolean
/**
 * an administrator asked for a new device token: rotate it now with POST /api/v1/agent/rotate (only sent to agents whose hello listed the rotate-token feature)
 */
rotate_token?: boolean
}

export interface EnrollRequest {
token: string
hostname: string
machine_id?: string
os: OsInfo
arch?: string
agent_version: string
}

export interface EnrollResponse {
/**
 * Collector-assigned host id; never derived from agent input.
 */
host_id: string
device_token: string
collector_id: string
interval_s?: number
}

export interface RotateResponse {
/**
 * Collector-assigned host id; never derived from agent input.
 */
host_id: string
/**
 * the new device token, shown once; it becomes the only valid one when it first authenticates
 */
device_token: string
previous_token_valid_until: string
}

export type AgentMessage = HelloMessage | ReportMessage;

export type CollectorMessage = AckMessage | NackMessage | CollectNowMessage | ConfigMessage;

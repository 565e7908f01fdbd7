// Collector error catalog (COL_*): every refusal the collector makes has a stable code, an HTTP
// status for the admin/enrol API, and a hint; the same codes travel in WebSocket `nack`s.
import { defineErrors, type ErrorCatalog } from '../evidence/errors.ts';

export const COL_ERRORS = {
  COL_UNAUTHENTICATED: { title: 'Authentication required', hint: 'Send `Authorization: Bearer ppa_…` (admin) or `ppd_…` (agent).', status: 401 },
  COL_FORBIDDEN: { title: 'Not permitted for this role', hint: 'See the permission matrix in docs/collector.md.', status: 403 },
  COL_NOT_FOUND: { title: 'Not found', status: 404 },
  COL_REQUEST_INVALID: { title: 'Request refused', hint: 'Check the request against the API documentation.', status: 400 },
  COL_TOKEN_INVALID: { title: 'Enrolment token not recognised', hint: 'Ask an operator for a current `ppe_…` token.', status: 401 },
  COL_TOKEN_REVOKED: { title: 'Enrolment token revoked', status: 403 },
  COL_TOKEN_EXPIRED: { title: 'Enrolment token expired', status: 403 },
  COL_SOURCE_NOT_ALLOWED: { title: 'Enrolment from this address is not allowed by the token', hint: 'The token is scoped to CIDRs; enrol from an allowed network.', status: 403 },
  COL_ENROL_CAP_REACHED: { title: 'Enrolment token daily cap reached', hint: 'The token allows a limited number of enrolments per UTC day.', status: 429 },
  COL_RATE_LIMITED: { title: 'Too many requests', hint: 'Slow down and retry later.', status: 429 },
  COL_DEVICE_UNKNOWN: { title: 'Device token not recognised', hint: 'Enrol the agent again with `patchproof agent enroll`.', status: 401 },
  COL_DEVICE_REVOKED: { title: 'Device revoked', hint: 'An administrator revoked this device; enrol it again if that was a mistake.', status: 401 },
  COL_DEVICE_TOKEN_RETIRED: {
    title: 'Device token retired by a rotation',
    hint: 'A newer token was issued to this device and this one\'s grace period is over; if the agent lost the newer token, enrol it again.',
    status: 401,
  },
  COL_MESSAGE_INVALID: { title: 'Protocol message refused', status: 400 },
  COL_MESSAGE_TOO_LARGE: { title: 'Message too large', status: 413 },
  COL_MESSAGE_TOO_DEEP: { title: 'Message nested too deeply', status: 400 },
  COL_UNKNOWN_TYPE: { title: 'Unknown message type', status: 400 },
  COL_INVENTORY_REQUIRED: { title: 'Full inventory required', hint: 'Resend the report with `packages`.', status: 409 },
  COL_INVENTORY_MISMATCH: { title: 'Inventory does not match its hash or count', status: 400 },
  COL_PENDING_REQUIRED: { title: 'Full pending-updates list required', hint: 'Resend the report with `pending`.', status: 409 },
  COL_PENDING_MISMATCH: { title: 'Pending-updates list does not match its hash or count', status: 400 },
  COL_HOST_NOT_CONNECTED: { title: 'Host not connected', hint: 'The agent has no live connection to this collector now; it will report at its next check-in.', status: 409 },
  COL_COMMIT_FAILED: { title: 'Evidence could not be committed', hint: 'Retry later; the collector logs the cause.', status: 503 },
  COL_SHUTTING_DOWN: { title: 'Collector is shutting down', hint: 'Retry after it restarts.', status: 503 },
  COL_SCOPE_INVALID: { title: 'Enrolment token scope invalid', hint: 'CIDRs look like 10.0.0.0/8 or 2001:db8::/32; expiry is an ISO time or a duration like 7d.', status: 400 },
  COL_EXCEPTION_INVALID: { title: 'Exception refused', hint: 'Start from `patchproof new exception`; the file must match evidence/schemas/exception.schema.json.', status: 400 },
  COL_EXCEPTION_ID_MISMATCH: { title: 'Exception id does not match the URL', hint: 'PUT exceptions/EXC-nnnn with a body whose id is EXC-nnnn.', status: 400 },
  COL_ROLE_INVALID: { title: 'Unknown role', hint: 'Roles: owner, admin, operator, auditor.', status: 400 },
  COL_INSECURE_LISTEN: {
    title: 'Refusing plain HTTP on a non-loopback address',
    hint: 'Give --tls-cert and --tls-key, listen on 127.0.0.1/::1, or pass --insecure-http if a TLS proxy is in front.',
  },
  COL_TLS_INVALID: { title: 'TLS certificate or key unusable' },
  COL_STATE_DB: { title: 'State database problem', hint: 'The state database is <home>/state/collector.db.' },
  COL_INTERNAL: { title: 'Internal collector error', status: 500 },
} as const satisfies ErrorCatalog;

export type ColCode = keyof typeof COL_ERRORS;

export const colError = defineErrors(COL_ERRORS);

/** Whether an agent should resend a report refused with `code` (retry:true in the nack). */
export function isRetryable(code: string): boolean {
  return code === 'COL_INVENTORY_REQUIRED' || code === 'COL_PENDING_REQUIRED' || code === 'COL_COMMIT_FAILED' || code === 'COL_SHUTTING_DOWN' || code === 'COL_RATE_LIMITED' || code === 'COL_INTERNAL';
}

// Error codes for how the agent runs: enrolment, TLS, the socket, state and spool. (Collection
// errors live in agent/errors.ts, owned with the collectors; the two catalogs share no code.)
import { defineErrors, type ErrorCatalog } from '../evidence/errors.ts';

export const AGT_TRANSPORT_ERRORS = {
  AGT_ENROLL_REFUSED: {
    title: 'The collector refused the enrolment',
    hint: 'Check the enrolment token (expiry, revocation, allowed networks, daily cap) with `patchproof token list` on the collector.',
  },
  AGT_TLS_UNTRUSTED: {
    title: "The collector's TLS certificate is not trusted",
    hint: "Pass the collector's CA certificate with --ca FILE (the PEM the collector was set up with).",
  },
  AGT_TLS_HOSTNAME_MISMATCH: {
    title: "The collector's certificate is for another host name",
    hint: 'Use the host name (or IP address) the certificate names in the collector URL, or reissue the certificate with this name in its subjectAltName.',
  },
  AGT_TLS_VERSION_REFUSED: {
    title: 'The collector offers no TLS version the agent accepts',
    hint: 'The agent requires TLS 1.2 or 1.3. Configure the collector (or the proxy in front of it) to offer TLS 1.2 or later.',
  },
  AGT_TLS_PIN_MISMATCH: {
    title: "The collector's public key does not match the pin",
    hint: 'Someone may be intercepting the connection. If the collector key was rotated, re-enrol with the new --pin-sha256.',
  },
  AGT_SERVER_UNREACHABLE: { title: 'The collector cannot be reached', hint: 'Check the URL, DNS, firewalls and that the collector is running.' },
  AGT_AUTH_REFUSED: {
    title: 'The collector refused the device credentials',
    hint: 'The device token may have been revoked. Re-enrol with `patchproof agent enroll`.',
  },
  AGT_INSECURE_URL: { title: 'Refusing an unencrypted collector URL', hint: 'Use https:// (or wss://); plain http:// is allowed only to 127.0.0.1, ::1 and localhost.' },
  AGT_PIN_INVALID: { title: 'The pin is not a SHA-256 digest', hint: 'Give the base64 (or hex) SHA-256 of the DER SubjectPublicKeyInfo of the collector certificate.' },
  AGT_CONNECTION_LOST: { title: 'The connection to the collector was lost' },
  AGT_PROTOCOL_ERROR: { title: 'The collector sent a message the agent does not understand' },
  AGT_REPORT_REJECTED: { title: 'The collector rejected a report for good', hint: 'The report was moved to spool/rejected/ with the reason; it will not be resent.' },
  AGT_REPORT_INVALID: { title: 'A collected report does not match the protocol schema', hint: 'This is a bug in a package source; the report was not spooled.' },
  AGT_COLLECT_FAILED: { title: 'Collection failed: no report this check-in', hint: 'See the logged cause; the next check-in tries again.' },
  AGT_NOT_ENROLLED: { title: 'This agent is not enrolled', hint: 'Run `patchproof agent enroll --server URL --token ppe_… --state DIR` first.' },
  AGT_STATE_INVALID: { title: 'The agent state directory is unreadable or damaged' },
  AGT_STATE_WRITE_FAILED: { title: 'Could not write the agent state', hint: 'Check free space and permissions of the state directory.' },
  AGT_SPOOL_FULL: {
    title: 'The spool is full: a new report was not recorded',
    hint: 'The collector has not acknowledged reports for a long time. Fix connectivity; the oldest unsent reports are kept and no change is lost while the package log covers the gap.',
  },
  AGT_SPOOL_WRITE_FAILED: { title: 'Could not write a report to the spool', hint: 'Check free space (ENOSPC) and permissions of the state directory.' },
} as const satisfies ErrorCatalog;

export const agtError = defineErrors(AGT_TRANSPORT_ERRORS);
export type AgtTransportCode = keyof typeof AGT_TRANSPORT_ERRORS;

// The stable problem codes `patchproof verify` reports, one per kind of broken evidence.

export const VERIFY_CODES = [
  'VRF_REPO_EMPTY',
  'VRF_COMMIT_UNSIGNED',
  'VRF_COMMIT_BAD_SIGNATURE',
  'VRF_COMMIT_UNKNOWN_KEY',
  'VRF_KEY_OUTSIDE_WINDOW',
  'VRF_KEY_REVOKED',
  'VRF_KEY_CHANGED',
  'VRF_KEYS_INVALID',
  'VRF_FILE_SIGNATURE_MISSING',
  'VRF_FILE_SIGNATURE_INVALID',
  'VRF_FILE_MODIFIED',
  'VRF_FILE_DELETED',
  'VRF_CHAIN_BROKEN',
  'VRF_SEQ_GAP',
  'VRF_AUDIT_CHAIN_BROKEN',
  'VRF_NOT_ANCESTOR',
  'VRF_SCHEMA_INVALID',
  'VRF_PATH_MISMATCH',
  'VRF_HOST_PATH_INVALID',
] as const;

export type VerifyCode = (typeof VERIFY_CODES)[number];

export interface VerifyProblem {
  code: VerifyCode;
  /** A repository path, or `commit:<id>` for a commit-level problem. */
  path: string;
  commit?: string;
  message: string;
}

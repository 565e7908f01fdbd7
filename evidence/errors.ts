// The shared error base: every expected failure in patchproof is a PatchproofError with a
// stable code (EVD_*, AGT_*, COL_*, CMP_*, SITE_*, CLI_*), a message a person can act on,
// an optional hint, structured data and a cause. The CLI prints message + hint, never a stack.

export interface ErrorSpec {
  /** Short title, stable; shown before the message. */
  readonly title: string;
  /** What the user can do about it. */
  readonly hint?: string;
  /** HTTP status when the error crosses an API boundary. */
  readonly status?: number;
}

export type ErrorCatalog = Readonly<Record<string, ErrorSpec>>;

export interface ErrorOptions {
  readonly data?: Record<string, unknown>;
  readonly hint?: string;
  readonly cause?: unknown;
}

export class PatchproofError extends Error {
  readonly code: string;
  readonly data: Record<string, unknown>;
  readonly hint: string | undefined;
  readonly status: number;

  constructor(code: string, message: string, spec: ErrorSpec | undefined, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PatchproofError';
    this.code = code;
    this.data = options.data ?? {};
    this.hint = options.hint ?? spec?.hint;
    this.status = spec?.status ?? 500;
  }

  toJSON(): { code: string; message: string; hint?: string; data: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      data: this.data,
    };
  }
}

/**
 * Binds a layer's catalog to a typed factory, so a misspelt code is a compile error:
 *   const evdError = defineErrors(EVD_ERRORS); throw evdError('EVD_PATH_INVALID', '…', { data });
 */
export function defineErrors<C extends ErrorCatalog>(catalog: C) {
  return function makeError(code: keyof C & string, message: string, options: ErrorOptions = {}): PatchproofError {
    return new PatchproofError(code, message, catalog[code], options);
  };
}

export function isPatchproofError(value: unknown, code?: string): value is PatchproofError {
  return value instanceof PatchproofError && (code === undefined || value.code === code);
}

/** Evidence-layer error codes. Other layers keep their own catalogs in their own folders. */
export const EVD_ERRORS = {
  EVD_SCHEMA_INVALID: { title: 'Record does not match its schema', status: 400 },
  EVD_PATH_INVALID: {
    title: 'Path refused',
    hint: 'Repository paths are relative, use "/" separators, and contain no "..", NUL or control characters.',
    status: 400,
  },
  EVD_HOST_ID_INVALID: { title: 'Host id refused', hint: 'Host ids are collector-assigned: h_ followed by 16 lowercase hex digits.', status: 400 },
  EVD_RECORD_TOO_LARGE: { title: 'Record too large', status: 413 },
  EVD_CANONICAL_JSON: { title: 'Value cannot be written as canonical JSON', status: 400 },
  EVD_KEY_INVALID: { title: 'OpenPGP key unusable', hint: 'Check the key file; it must be an armored OpenPGP key.' },
  EVD_KEY_PERMISSIONS: { title: 'Private key file is readable by others', hint: 'chmod 600 the key file.' },
  EVD_SIGN_FAILED: { title: 'Signing failed' },
  EVD_SIGNATURE_INVALID: { title: 'Signature does not verify', status: 400 },
  EVD_REPO_NOT_FOUND: { title: 'Evidence repository not found', hint: 'Create one with `patchproof init --home DIR`.' },
  EVD_REPO_EXISTS: { title: 'Refusing to overwrite an existing home or repository' },
  EVD_LOCKED: {
    title: 'Evidence repository is locked by another writer',
    hint: 'Only one collector may write a repository. If no other process is running, the lock is stale and is taken over automatically.',
  },
  EVD_CONFLICT: { title: 'The branch moved underneath this writer' },
  EVD_NOT_FOUND: { title: 'Not found in the evidence repository', status: 404 },
  EVD_IO: { title: 'Filesystem error while writing evidence' },
  EVD_VERIFY_FAILED: { title: 'Evidence repository failed verification' },
  EVD_PROTOCOL_INVALID: { title: 'Protocol message refused', status: 400 },
} as const satisfies ErrorCatalog;

export const evdError = defineErrors(EVD_ERRORS);

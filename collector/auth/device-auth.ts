// Device authentication for both doors a device uses — the WebSocket upgrade and its HTTP route
// (token rotation): a bearer ppd_ token becomes a device, or a coded refusal that is counted,
// limited per source address and audited. The first use of a device's next token completes its
// rotation: audited as device.rotated in the same transaction (outbox), committed at once.
import type { AuditInput } from '../../evidence/audit-log.ts';
import { actors, auditInput, type Actor } from '../audit.ts';
import type { Clock } from '../clock.ts';
import type { ColCode } from '../errors.ts';
import type { CollectorMetrics } from '../metrics.ts';
import { RateLimiter } from '../rate-limit.ts';
import type { RefusalAudit } from '../refusal-audit.ts';
import type { Device } from '../state/devices.ts';
import type { CollectorState } from '../state/state.ts';
import { bearerToken } from './bearer.ts';

export type DeviceAuthResult = { ok: true; device: Device } | { ok: false; status: 401 | 429; code: ColCode; message: string };

export interface DeviceAuthDeps {
  readonly state: CollectorState;
  readonly clock: Clock;
  readonly metrics: CollectorMetrics;
  readonly refusals: RefusalAudit;
  /** Failed authentications per source address per minute before 429. */
  readonly failuresPerMinute: number;
  /** Called after an audit entry was queued in the outbox (the caller commits it now). */
  readonly onQueuedAudit: () => void;
  readonly log: { warn: (obj: object, msg: string) => void };
}

const MESSAGES: Record<'COL_DEVICE_UNKNOWN' | 'COL_DEVICE_REVOKED' | 'COL_DEVICE_TOKEN_RETIRED', string> = {
  COL_DEVICE_UNKNOWN: 'device token not recognised',
  COL_DEVICE_REVOKED: 'device revoked',
  COL_DEVICE_TOKEN_RETIRED: 'device token retired by a rotation; the device has a newer one',
};

export class DeviceAuthenticator {
  readonly #d: DeviceAuthDeps;
  readonly #failures: RateLimiter;

  constructor(deps: DeviceAuthDeps) {
    this.#d = deps;
    this.#failures = new RateLimiter(deps.clock, { perMinute: deps.failuresPerMinute });
  }

  #refusal(code: ColCode, source: string | null, actor: Actor, hostId: string | undefined): AuditInput {
    return auditInput({ actor, action: 'device.auth-refused', outcome: 'refused', source, code, time: this.#d.clock(), ...(hostId ? { target: { type: 'host', id: hostId } } : {}) });
  }

  /** The device an Authorization header names, or why not. `source` is the caller's address. */
  check(authorization: string | string[] | undefined, source: string | null): DeviceAuthResult {
    const auth = this.#d.state.devices.authenticate(bearerToken(authorization), (device, rotation) =>
      auditInput({
        actor: actors.device(device.host_id),
        action: 'device.rotated',
        source,
        target: { type: 'host', id: device.host_id },
        time: this.#d.clock(),
        details: { requested_by: rotation.requested_by ?? 'device', issued_at: rotation.issued_at },
      }),
    );
    if (auth.ok) {
      if (auth.rotated) this.#d.onQueuedAudit();
      return { ok: true, device: auth.device };
    }
    this.#d.metrics.authRefused.inc({ kind: 'device', code: auth.code });
    const actor = auth.device ? actors.device(auth.device.host_id) : actors.anonymous();
    if (!this.#failures.take(source ?? 'unknown')) {
      this.#d.refusals.count(this.#refusal('COL_RATE_LIMITED', source, actor, auth.device?.host_id));
      return { ok: false, status: 429, code: 'COL_RATE_LIMITED', message: 'too many failed attempts; retry later' };
    }
    this.#d.refusals.refuse(this.#refusal(auth.code, source, actor, auth.device?.host_id)).catch((err: unknown) => this.#d.log.warn({ err }, 'audit of a refusal failed'));
    return { ok: false, status: 401, code: auth.code, message: MESSAGES[auth.code] };
  }
}

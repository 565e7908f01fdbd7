// The collector's state stores over one database handle, built together so every store shares
// the same clock and randomness.
import type { Clock } from '../clock.ts';
import type { RandomBytes } from '../secrets.ts';
import { ApiKeyStore } from './api-keys.ts';
import { AuditOutbox } from './audit-outbox.ts';
import type { Db } from './db.ts';
import { DeviceStore } from './devices.ts';
import { EnrolTokenStore } from './enrol-tokens.ts';
import { HostStateStore } from './host-state.ts';

export interface CollectorState {
  readonly db: Db;
  readonly tokens: EnrolTokenStore;
  readonly devices: DeviceStore;
  readonly apiKeys: ApiKeyStore;
  readonly hosts: HostStateStore;
  readonly outbox: AuditOutbox;
}

export function collectorState(db: Db, clock: Clock, random: RandomBytes): CollectorState {
  const outbox = new AuditOutbox(db);
  return {
    db,
    tokens: new EnrolTokenStore(db, clock, random),
    devices: new DeviceStore(db, clock, random, outbox),
    apiKeys: new ApiKeyStore(db, clock, random),
    hosts: new HostStateStore(db),
    outbox,
  };
}

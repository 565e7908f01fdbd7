// Credentials pointing at a stub collector, as enrolment would have written them.
import type { Credentials } from '../../../agent/state.ts';
import { DEVICE_TOKEN, HOST_ID, type StubCollector } from './stub-collector.ts';

export function credentialsFor(stub: StubCollector, trust: { ca_pem?: string; pin_sha256?: string } = {}): Credentials {
  return { server: stub.url, host_id: HOST_ID, device_token: DEVICE_TOKEN, collector_id: 'test', enrolled_at: '2025-01-01T00:00:00.000Z', ...trust };
}

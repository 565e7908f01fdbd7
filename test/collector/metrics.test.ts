// GET /metrics over a real socket after real traffic: every metric docs/collector.md promises is
// there with its type, and the values follow what happened (one agent connected, one report
// written, one refused by code, commit group size and latency, ack latency per ack and nack).
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../collector/clock.ts';
import { startCollectorServer, type RunningCollector } from '../../collector/server.ts';
import { bearer, enrolBody, makeHome, removeHomes, T0 } from './helpers.ts';
import { makePackages, reportBody, reportMsg } from './reports.ts';
import { connectAgent } from './ws-client.ts';

afterAll(removeHomes);
let server: RunningCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Prometheus text → { 'name{labels}': value } plus each metric's TYPE. */
function parseMetrics(text: string): { values: Map<string, number>; types: Map<string, string> } {
  const values = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    else if (line !== '' && !line.startsWith('#')) {
      const m = /^(\S+?(?:\{[^}]*\})?) (\S+)$/.exec(line);
      if (m) values.set(m[1]!, Number(m[2]));
    }
  }
  return { values, types };
}

const NAMED = {
  patchproof_agents_connected: 'gauge',
  patchproof_reports_received_total: 'counter',
  patchproof_reports_acked_total: 'counter',
  patchproof_reports_written_total: 'counter',
  patchproof_reports_rejected_total: 'counter',
  patchproof_commit_group_size: 'histogram',
  patchproof_commit_latency_seconds: 'histogram',
  patchproof_ack_latency_seconds: 'histogram',
  patchproof_enrolments_total: 'counter',
  patchproof_auth_refused_total: 'counter',
  patchproof_anomalies_total: 'counter',
  patchproof_audit_refusals_suppressed_total: 'counter',
} as const;

describe('GET /metrics', () => {
  it('exposes every documented metric, with values that follow real traffic', async () => {
    const clock = manualClock(T0);
    const { home } = await makeHome(clock);
    server = await startCollectorServer({ home, listen: '127.0.0.1:0', clock, options: { commitWindowMs: 5 } });
    const owner = server.collector.state.apiKeys.create({ name: 'o', role: 'owner', created_by: 't' }).secret;
    const tok = await server.collector.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(owner), payload: {} });
    const dev = (await server.collector.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok.json().secret) })).json() as { device_token: string };

    const agent = await connectAgent(server.url, dev.device_token);
    agent.send(reportMsg(1, reportBody({ packages: makePackages(10), collectedAt: clock().toISOString() })));
    expect(await agent.next()).toMatchObject({ type: 'ack', status: 'written' });
    agent.send({ type: 'report', report_id: 'rep_bad_0000000001', seq: 2, body: { nonsense: true } });
    expect(await agent.next()).toMatchObject({ type: 'nack', code: 'COL_MESSAGE_INVALID' });

    // The refusal's audit entry is committed after the nack: let it land (and its group be observed).
    await server.collector.sink.flush();
    await new Promise((r) => setImmediate(r));
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const docs = readFileSync(new URL('../../docs/collector.md', import.meta.url), 'utf8');
    const { values, types } = parseMetrics(await res.text());
    for (const [name, type] of Object.entries(NAMED)) {
      expect(types.get(name), name).toBe(type);
      expect(docs, `${name} documented`).toContain(`\`${name}\``);
    }
    expect(values.get('patchproof_agents_connected')).toBe(1);
    expect(values.get('patchproof_reports_received_total')).toBe(1);
    expect(values.get('patchproof_reports_acked_total{status="written"}')).toBe(1);
    expect(values.get('patchproof_reports_written_total{reason="first"}')).toBe(1);
    expect(values.get('patchproof_reports_rejected_total{code="COL_MESSAGE_INVALID"}')).toBe(1);
    expect(values.get('patchproof_enrolments_total{outcome="accepted",code=""}')).toBe(1);
    // Histograms: a count, a sum and cumulative buckets ending in +Inf.
    for (const h of ['patchproof_commit_group_size', 'patchproof_commit_latency_seconds', 'patchproof_ack_latency_seconds']) {
      expect(values.get(`${h}_count`), h).toBeGreaterThanOrEqual(1);
      expect(values.get(`${h}_sum`), h).toBeGreaterThan(0);
      expect(values.get(`${h}_bucket{le="+Inf"}`), h).toBe(values.get(`${h}_count`));
    }
    // Token creation, enrolment, the report and the refusal's audit entry: four commits of one write each.
    expect(values.get('patchproof_commit_group_size_count')).toBe(4);
    expect(values.get('patchproof_commit_group_size_sum')).toBe(4);
    // One ack and one nack, each timed from its frame.
    expect(values.get('patchproof_ack_latency_seconds_count')).toBe(2);

    agent.close();
    await agent.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect(parseMetrics(await (await fetch(`${server.url}/metrics`)).text()).values.get('patchproof_agents_connected')).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { createJsonLog, redact } from '../../agent/log.ts';

describe('agent log', () => {
  it('writes one JSON object per line with time, level, msg and code, filtered by level', () => {
    const lines: string[] = [];
    const log = createJsonLog({ write: (l) => void lines.push(l), level: 'info', now: () => new Date('2025-01-01T00:00:00Z'), base: { host_id: 'h_0123456789abcdef' } });
    log.debug('not shown');
    log.warn('cannot connect', { code: 'AGT_SERVER_UNREACHABLE', retry_in_ms: 1000 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2025-01-01T00:00:00.000Z',
      level: 'warn',
      msg: 'cannot connect',
      host_id: 'h_0123456789abcdef',
      code: 'AGT_SERVER_UNREACHABLE',
      retry_in_ms: 1000,
    });
  });

  it('never writes a token, wherever it hides', () => {
    const lines: string[] = [];
    const log = createJsonLog({ write: (l) => void lines.push(l), level: 'debug' });
    const device = 'ppd_' + 'A1b2'.repeat(12);
    const enrol = 'ppe_' + 'x'.repeat(30);
    log.error(`refused ${device}`, { device_token: device, nested: { header: `Bearer ${device}`, list: [enrol] }, error: new Error(`bad ${enrol}`) });
    const text = lines.join('');
    expect(text).not.toContain(device);
    expect(text).not.toContain(enrol);
    expect(text).toContain('ppd_[redacted]');
    expect(redact(`Authorization: Bearer ${device}`)).toBe('Authorization: Bearer ppd_[redacted]');
  });
});

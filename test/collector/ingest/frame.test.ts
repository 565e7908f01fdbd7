import { describe, expect, it } from 'vitest';
import { jsonDepth, parseFrame } from '../../../collector/ingest/frame.ts';
import { makePackages, reportBody, reportMsg } from '../reports.ts';

const enc = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('parseFrame', () => {
  it('accepts a hello and a valid report', () => {
    expect(parseFrame(enc({ type: 'hello', protocol: 1, agent_version: '1.0' }))).toMatchObject({ ok: true });
    expect(parseFrame(enc(reportMsg(1, reportBody({ packages: makePackages(3) }))))).toMatchObject({ ok: true });
  });

  it('bounds nesting before parsing, ignoring brackets inside strings', () => {
    expect(jsonDepth(enc('{"a":"[[[[[[[[[[[[[[[[[[[["}'), 16)).toBe(1);
    expect(jsonDepth(enc('{"a":"\\"[[["}'), 16)).toBe(1);
    expect(parseFrame(enc('['.repeat(10_000) + ']'.repeat(10_000)))).toMatchObject({ ok: false, code: 'COL_MESSAGE_TOO_DEEP' });
  });

  it.each([
    ['empty', '', 'COL_MESSAGE_INVALID'],
    ['not JSON', '{type: hello}', 'COL_MESSAGE_INVALID'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'COL_MESSAGE_INVALID'],
    ['array', '[1,2]', 'COL_MESSAGE_INVALID'],
    ['null', 'null', 'COL_MESSAGE_INVALID'],
    ['no type', '{"protocol":1}', 'COL_UNKNOWN_TYPE'],
    ['unknown type', '{"type":"ack"}', 'COL_UNKNOWN_TYPE'],
    ['numeric type', '{"type":1}', 'COL_UNKNOWN_TYPE'],
    ['hello wrong protocol', '{"type":"hello","protocol":2,"agent_version":"1"}', 'COL_MESSAGE_INVALID'],
  ] as const)('refuses %s', (_name, data, code) => {
    expect(parseFrame(typeof data === 'string' ? enc(data) : data)).toMatchObject({ ok: false, code });
  });

  it('names the report id of a refused report when it is well formed', () => {
    const msg = reportMsg(1, reportBody({ packages: makePackages(1) }));
    const v = parseFrame(enc({ ...msg, body: { ...msg.body, hostname: '../../etc/passwd' } }));
    expect(v).toMatchObject({ ok: false, code: 'COL_MESSAGE_INVALID', reportId: msg.report_id });
    expect((v as { message: string }).message).toContain('hostname');
  });

  it('refuses frames over the limit', () => {
    expect(parseFrame(Buffer.alloc(2000, 0x20), 1000)).toMatchObject({ ok: false, code: 'COL_MESSAGE_TOO_LARGE' });
  });
});

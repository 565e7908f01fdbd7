// The one adapter over ae-cvss-calculator: CVSS v2/v3.x/v4 vector → base score, or undefined when
// the vector is incomplete or malformed (never a partial score).

import cvssLib from 'ae-cvss-calculator';

export type CvssType = 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4';

export interface CvssScore {
  readonly type: CvssType;
  readonly version: '2.0' | '3.0' | '3.1' | '4.0';
  readonly vector: string;
  readonly score: number;
}

interface Vector {
  isBaseFullyDefined(): boolean;
  calculateScores(): { base?: number; baseMetricsOnly?: number };
}

function make(type: CvssType, vector: string): { version: CvssScore['version']; instance: Vector } | undefined {
  if (type === 'CVSS_V2' && !vector.startsWith('CVSS:')) return { version: '2.0', instance: new cvssLib.Cvss2(vector) as unknown as Vector };
  if (type === 'CVSS_V3' && vector.startsWith('CVSS:3.1/')) return { version: '3.1', instance: new cvssLib.Cvss3P1(vector) as unknown as Vector };
  if (type === 'CVSS_V3' && vector.startsWith('CVSS:3.0/')) return { version: '3.0', instance: new cvssLib.Cvss3P0(vector) as unknown as Vector };
  if (type === 'CVSS_V4' && vector.startsWith('CVSS:4.0/')) return { version: '4.0', instance: new cvssLib.Cvss4P0(vector) as unknown as Vector };
  return undefined;
}

/** Base score of an OSV severity vector (v4: CVSS-B, base metrics only). */
export function cvssBaseScore(type: CvssType, vector: string): CvssScore | undefined {
  let made: ReturnType<typeof make>;
  try {
    made = make(type, vector);
    if (made === undefined || !made.instance.isBaseFullyDefined()) return undefined;
    const scores = made.instance.calculateScores();
    const score = made.version === '4.0' ? scores.baseMetricsOnly : scores.base;
    if (typeof score !== 'number' || !Number.isFinite(score)) return undefined;
    return { type, version: made.version, vector, score };
  } catch {
    return undefined;
  }
}

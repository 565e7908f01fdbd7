// hello.last_acked_seq against the highest agent seq the collector accepted for the host: tells a
// collector that lost acknowledged state from an agent that lost or restored its own. Pure.
import type { Warning } from '../../evidence/types.gen.ts';

export type AckedSeqVerdict =
  | { kind: 'in-step' }
  /** Below: acks lost on the way (resends will be duplicates) or a rolled-back agent — the next report tells. */
  | { kind: 'behind'; acked: number }
  /** Above: the collector's state database or repository was restored or lost. */
  | { kind: 'ahead'; anomaly: Warning };

export function compareAckedSeq(agentSeq: number, acked: number): AckedSeqVerdict {
  if (acked === agentSeq) return { kind: 'in-step' };
  if (acked < agentSeq) return { kind: 'behind', acked };
  return {
    kind: 'ahead',
    anomaly: {
      code: 'COL_ACKS_LOST',
      message: `agent holds acknowledgements up to seq ${acked}, the collector knows up to seq ${agentSeq}: collector state or evidence was lost or restored`,
    },
  };
}

/**
 * A new report_id (duplicates are answered before this) whose seq is at or below the highest
 * accepted but above what the connection's hello acknowledged: the agent counts again, so it lost
 * or restored its state. Such reports are taken, with this anomaly, rather than discarded as out
 * of order until the agent's counter passes the old one (days without evidence). Null otherwise.
 */
export function seqRegression(agentSeq: number, helloAcked: number | undefined, seq: number): Warning | null {
  if (seq > agentSeq || helloAcked === undefined || seq <= helloAcked) return null;
  return {
    code: 'COL_AGENT_SEQ_REGRESSED',
    message: `agent seq went back to ${seq} after seq ${agentSeq} was accepted (hello acknowledged ${helloAcked}): the agent lost or restored its state; reports it had not sent may be missing`,
  };
}

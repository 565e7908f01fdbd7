// An in-process transport (no sockets) in front of the stub collector's default logic: the kind
// of ConnectFn the demo passes to createAgentRunner to run a simulated fleet quickly.
import type { CollectorMessage, ReportMessage } from '../../../evidence/types.gen.ts';
import type { ConnectFn } from '../../../agent/transport.ts';
import { agtError } from '../../../agent/transport-errors.ts';
import { StubCollector } from './stub-collector.ts';

export function memoryTransport(collector = new StubCollector(), options: { down?: () => boolean } = {}) {
  const stats = { connects: 0, refused: 0 };
  const open = new Set<() => void>();
  const connect: ConnectFn = async (request) => {
    if (options.down?.()) {
      stats.refused++;
      throw agtError('AGT_SERVER_UNREACHABLE', 'collector down (simulated)');
    }
    stats.connects++;
    let isOpen = true;
    const deliver = (m: CollectorMessage) => queueMicrotask(() => isOpen && request.onMessage(m));
    const end = (code: number, reason: string) => {
      if (!isOpen) return;
      isOpen = false;
      open.delete(drop);
      queueMicrotask(() => request.onClose({ code, reason }));
    };
    const drop = () => end(1006, 'dropped');
    open.add(drop);
    return {
      send(message) {
        if (!isOpen) throw agtError('AGT_CONNECTION_LOST', 'closed');
        if (message.type === 'hello') return void collector.hellos.push(message);
        collector.reports.push(message as ReportMessage);
        for (const reply of collector.defaultReply(message as ReportMessage)) deliver(reply);
      },
      close(code = 1000, reason = '') {
        end(code, reason);
      },
    };
  };
  /** Ends every open connection, as a collector restart would. */
  const dropAll = () => [...open].forEach((d) => d());
  return { connect, collector, stats, dropAll };
}

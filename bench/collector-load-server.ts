// The collector under load, as its own process: the real server (TLS, group commit, sqlite
// state) on 127.0.0.1 with a clock running `speed` times real time, so hourly check-ins can be
// compressed. Prints its URL; SIGTERM shuts it down gracefully and prints the time it took.
import { startCollectorServer } from '../collector/server.ts';

const [home, cert, key, speedArg] = process.argv.slice(2);
if (!home || !cert || !key) throw new Error('usage: collector-load-server.ts HOME CERT KEY [SPEED]');
const speed = Number(speedArg ?? 1);
const t0 = Date.now();
// Starts now (the signing key must exist at every signature time) and runs `speed` times faster.
const start = Date.now();
const clock = () => new Date(start + (Date.now() - t0) * speed);

const running = await startCollectorServer({
  home,
  listen: '127.0.0.1:0',
  tlsCert: cert,
  tlsKey: key,
  clock,
  backlog: 4096,
  logger: { level: 'warn', stream: process.stderr },
  options: {
    enrolPerMinutePerSource: 1e9,
    authFailuresPerMinute: 1e9,
    deviceMessagesPerMinute: 600,
    pingIntervalMs: 30_000,
  },
});
process.stdout.write(`URL ${running.url}\n`);
process.once('SIGTERM', () => {
  const t = performance.now();
  void running.close().then(() => {
    process.stdout.write(`STOPPED ${Math.round(performance.now() - t)}\n`);
    process.exit(0);
  });
});

// A throw-away certificate authority for the demo collector, made with the openssl CLI at
// start: a CA (trusted only by the simulated agents) and a 127.0.0.1/localhost server
// certificate, so the fleet talks real TLS (wss://) without touching the system trust store.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { demoError } from './errors.ts';

const run = promisify(execFile);

export interface DemoTls {
  dir: string;
  caFile: string;
  caPem: string;
  certFile: string;
  keyFile: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (cause) {
    const e = cause as { code?: string; stderr?: string };
    const why = e.code === 'ENOENT' ? 'openssl is not installed' : String(e.stderr ?? cause).trim().split('\n')[0];
    throw demoError('CLI_DEMO_TLS', `could not make the demo's TLS certificates: ${why}`, { cause });
  }
}

/**
 * Creates DIR/ca.pem, DIR/ca-key.pem, DIR/server.pem and DIR/server-key.pem (P-256, valid
 * 30 days from the real date: TLS checks real time even while the fleet's clock is simulated).
 */
export async function makeDemoTls(dir: string): Promise<DemoTls> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '30', '-subj', '/O=patchproof demo/CN=patchproof demo throw-away CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await openssl(['req', ...ec, '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/O=patchproof demo/CN=127.0.0.1'], dir);
  await writeFile(join(dir, 'server.ext'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '',
  ].join('\n'));
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server.pem',
    '-days', '30', '-sha256', '-extfile', 'server.ext'], dir);
  return finish(dir);
}

async function finish(dir: string): Promise<DemoTls> {
  await chmod(join(dir, 'ca-key.pem'), 0o600);
  await chmod(join(dir, 'server-key.pem'), 0o600);
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPem: await readFile(join(dir, 'ca.pem'), 'utf8'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server-key.pem'),
  };
}

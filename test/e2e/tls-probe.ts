// Probes a TLS server with stock `openssl s_client`, which (at SECLEVEL=0) is willing to offer
// TLS 1.0/1.1 and legacy CBC-SHA suites — unlike Node's client, which refuses them itself and so
// cannot tell a strict server from a lax one.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProbeResult {
  /** The handshake completed (a protocol and a cipher were agreed). */
  readonly handshake: boolean;
  readonly protocol: string | null;
  readonly cipher: string | null;
  /** The server answered with a TLS alert (it refused), as opposed to the client giving up. */
  readonly serverAlert: boolean;
  readonly output: string;
}

/** `openssl s_client -connect 127.0.0.1:PORT <args>` with nothing on stdin. */
export function probeTls(port: number, args: readonly string[], caFile?: string): ProbeResult {
  const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...(caFile ? ['-CAfile', caFile] : []), ...args], {
    input: '',
    encoding: 'utf8',
    timeout: 20_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  const cipher = /Cipher is (\S+)/.exec(output)?.[1] ?? null;
  // TLS 1.2 sessions print "Protocol  : TLSv1.2"; TLS 1.3 ones only "New, TLSv1.3, Cipher is …".
  const protocol = /^\s*Protocol\s*:\s*(\S+)/m.exec(output)?.[1] ?? /^New, (TLSv1\.3),/m.exec(output)?.[1] ?? null;
  const agreed = cipher !== null && cipher !== '(NONE)';
  return {
    handshake: r.status === 0 && agreed,
    protocol: agreed ? protocol : null,
    cipher: agreed ? cipher : null,
    serverAlert: /alert/i.test(output) && !/no protocols available|no ciphers available/i.test(output),
    output,
  };
}

/** The client side of a probe must be able to offer what it asks for: SECLEVEL=0 allows TLS 1.0/1.1 and SHA-1 suites. */
export const LEGACY_OK = 'ALL:@SECLEVEL=0';

/** An RSA leaf signed by the test CA (the shared test PKI's leaf is EC, which RSA-kx suites such as AES128-SHA cannot use). */
export function makeRsaLeaf(pkiDir: string): { cert: string; key: string } {
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: pkiDir, stdio: ['ignore', 'ignore', 'pipe'] });
  writeFileSync(join(pkiDir, 'rsa-ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa-server.key', '-out', 'rsa-server.csr', '-subj', '/CN=localhost']);
  ssl(['x509', '-req', '-in', 'rsa-server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'rsa-server.pem', '-days', '1', '-extfile', 'rsa-ext.cnf']);
  return { cert: join(pkiDir, 'rsa-server.pem'), key: join(pkiDir, 'rsa-server.key') };
}

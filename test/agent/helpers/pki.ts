// Throwaway TLS material made with stock openssl: a CA, a server leaf it signed (SAN 127.0.0.1 and
// localhost), a leaf it signed for another name only, a second unrelated CA, a self-signed leaf,
// and each leaf's SPKI pin as openssl prints it.
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caPem: string;
  caFile: string;
  certPem: string;
  keyPem: string;
  otherCaPem: string;
  otherCaFile: string;
  selfSignedCertPem: string;
  selfSignedKeyPem: string;
  /** Signed by the test CA, but for DNS:collector.example only: right issuer, wrong host name. */
  wrongNameCertPem: string;
  wrongNameKeyPem: string;
  /** base64 sha256 of the CA-signed leaf's DER SPKI, computed by the openssl pipeline. */
  pin: string;
  selfSignedPin: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function ssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function pinOf(dir: string, certFile: string): string {
  return execSync(`openssl x509 -in ${certFile} -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`, { cwd: dir })
    .toString()
    .trim();
}

let cached: TestPki | null = null;

export function makePki(): TestPki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'pp-pki-'));
  const ca = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  ssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=patchproof test CA', '-days', '1', ...ca]);
  ssl(dir, ['req', '-x509', ...EC, '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-subj', '/CN=someone else', '-days', '1', ...ca]);
  ssl(dir, ['req', ...EC, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  ssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext.cnf']);
  ssl(dir, ['req', ...EC, '-keyout', 'wrong-name.key', '-out', 'wrong-name.csr', '-subj', '/CN=collector.example']);
  writeFileSync(join(dir, 'wrong-name.cnf'), 'subjectAltName=DNS:collector.example\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  ssl(dir, ['x509', '-req', '-in', 'wrong-name.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'wrong-name.pem', '-days', '1', '-extfile', 'wrong-name.cnf']);
  ssl(dir, ['req', '-x509', ...EC, '-keyout', 'self.key', '-out', 'self.pem', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-days', '1']);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  cached = {
    dir,
    caPem: read('ca.pem'),
    caFile: join(dir, 'ca.pem'),
    certPem: read('server.pem'),
    keyPem: read('server.key'),
    otherCaPem: read('other-ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    selfSignedCertPem: read('self.pem'),
    selfSignedKeyPem: read('self.key'),
    wrongNameCertPem: read('wrong-name.pem'),
    wrongNameKeyPem: read('wrong-name.key'),
    pin: pinOf(dir, 'server.pem'),
    selfSignedPin: pinOf(dir, 'self.pem'),
  };
  return cached;
}

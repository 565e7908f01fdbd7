// A throw-away GnuPG home with one public key imported, for `gpg --verify` in tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GpgHome {
  dir: string;
  /** Runs `gpg --verify sig file`; returns gpg's exit status and its status output. */
  verify(signature: string, file: string): { status: number; output: string };
  close(): void;
}

export function gpgHomeWith(publicKeyArmored: string): GpgHome {
  const dir = mkdtempSync(join(tmpdir(), 'pp-gnupg-'));
  const env = { ...process.env, GNUPGHOME: dir };
  writeFileSync(join(dir, 'key.asc'), publicKeyArmored);
  execFileSync('gpg', ['--batch', '--quiet', '--import', join(dir, 'key.asc')], { env, stdio: 'pipe' });
  return {
    dir,
    verify(signature, file) {
      const r = spawnSync('gpg', ['--batch', '--status-fd', '1', '--verify', signature, file], { env, encoding: 'utf8' });
      return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
    },
    close() {
      spawnSync('gpgconf', ['--kill', 'all'], { env });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

#!/usr/bin/env node
// Keeps `npm ci` working when the registry this project installs from does not serve some
// other-platform optional binaries (e.g. darwin or win32 builds of a native dependency): npm
// then leaves them out of package-lock.json, and `npm ci` refuses the lock as out of sync.
// This adds an entry for each missing optional platform package, marked optional and limited
// to its os/cpu, so npm skips it on every other platform exactly as it would with a full lock.
// Run after `npm install` changes the lock: `npm run lock:placeholders`.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;

const OS_WORDS = { android: 'android', darwin: 'darwin', linux: 'linux', win32: 'win32', windows: 'win32', freebsd: 'freebsd', openbsd: 'openbsd', sunos: 'sunos', aix: 'aix' };
const CPU_WORDS = { arm64: 'arm64', x64: 'x64', ia32: 'ia32', arm: 'arm', wasm32: 'wasm32', riscv64: 'riscv64', s390x: 's390x', ppc64: 'ppc64', loong64: 'loong64' };

function platformOf(name) {
  const words = name.split('/').pop().split('-');
  const os = words.map((w) => OS_WORDS[w]).find(Boolean);
  const cpu = words.map((w) => CPU_WORDS[w]).find(Boolean);
  const libc = words.includes('musl') ? 'musl' : words.includes('gnu') ? 'glibc' : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  if (!entry.optionalDependencies) continue;
  const base = path === '' ? 'node_modules/' : `${path}/node_modules/`;
  for (const [dep, version] of Object.entries(entry.optionalDependencies)) {
    if (packages[`${base}${dep}`] || packages[`node_modules/${dep}`]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os && !cpu) continue; // not a platform binary: leave it to npm
    packages[`node_modules/${dep}`] = {
      version: String(version).replace(/^[\^~=]/, ''),
      optional: true,
      ...(os ? { os: [os] } : {}),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(libc ? { libc: [libc] } : {}),
    };
    added += 1;
  }
}

lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(LOCK, JSON.stringify(lock, null, 2) + '\n');
console.log(`lock-placeholders: ${added} optional platform entr${added === 1 ? 'y' : 'ies'} added`);

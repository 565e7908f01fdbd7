// Test runner settings: real processes, git, gpg and a browser make some tests slow, so the
// timeouts are generous; forks keep native resources (sqlite, sockets) isolated per file.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});

// How many pack processes a build runs by default: none for small fleets, then as many as fit
// the 1 GB build budget (and half the free memory), at least one, at most one per core.
import { describe, expect, it } from 'vitest';
import { BUILD_MEMORY_BUDGET, defaultPackProcesses, packMemoryEstimate } from '../../site/lib/build/packs.ts';

const MB = 1024 * 1024;
const plenty = { cores: 8, freeBytes: 64 * 1024 * MB, frameworks: 4 };

describe('defaultPackProcesses', () => {
  it('renders in the build process below 100 hosts', () => {
    expect(defaultPackProcesses({ ...plenty, hosts: 99, modelBytes: 2 * MB })).toBe(0);
  });

  it('runs one process at 1,000 hosts: two would not fit the budget', () => {
    const modelBytes = 23 * MB;
    const { perProcess, buildProcess } = packMemoryEstimate(modelBytes);
    expect(buildProcess + 2 * perProcess).toBeGreaterThan(BUILD_MEMORY_BUDGET);
    expect(defaultPackProcesses({ ...plenty, hosts: 1000, modelBytes })).toBe(1);
  });

  it('runs several at 100 hosts, capped by cores and frameworks', () => {
    expect(defaultPackProcesses({ ...plenty, hosts: 100, modelBytes: 2.4 * MB })).toBe(4);
    expect(defaultPackProcesses({ ...plenty, cores: 2, hosts: 100, modelBytes: 2.4 * MB })).toBe(2);
  });

  it('never fewer than one, however large the model or little the free memory', () => {
    expect(defaultPackProcesses({ ...plenty, hosts: 20_000, modelBytes: 500 * MB })).toBe(1);
    expect(defaultPackProcesses({ ...plenty, hosts: 100, modelBytes: 2.4 * MB, freeBytes: 100 * MB })).toBe(1);
  });
});

// Small text helpers shared by the parsers.

/** The first non-empty line, cut short: enough of a tool's stderr for a warning message. */
export function firstLine(text: string, max = 200): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, max);
}

/** Splits on runs of whitespace, ignoring leading/trailing blanks. */
export function fields(line: string): string[] {
  const t = line.trim();
  return t === '' ? [] : t.split(/\s+/);
}

export type RootedTool = 'apt-get' | 'rpm' | 'dnf' | 'dnf5' | 'yum' | 'zypper' | 'apk';

/** Below a root prefix (`agent --root DIR`), the package tools must read that tree, not the running system. */
export function rootArgs(tool: RootedTool, root: string): string[] {
  if (root === '/' || root === '') return [];
  if (tool === 'apt-get') return ['-o', `Dir=${root}`];
  if (tool === 'rpm' || tool === 'zypper' || tool === 'apk') return ['--root', root];
  return [`--installroot=${root}`];
}

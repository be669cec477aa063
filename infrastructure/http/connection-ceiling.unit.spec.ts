import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectionCeiling, openFilesLimit, RESERVED_DESCRIPTORS } from './connection-ceiling.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                40000                files
Max locked memory         8388608              8388608              bytes
`;

function limitsFile(text: string) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'limits-')), 'limits');
  writeFileSync(file, text);
  return file;
}

describe('connection ceiling', () => {
  it('reads the soft open-files limit', () => {
    expect(openFilesLimit(limitsFile(LIMITS))).toBe(20_000);
  });

  it('knows no limit when unlimited or unreadable', () => {
    expect(openFilesLimit(limitsFile(LIMITS.replace('20000 ', 'unlimited ')))).toBeNull();
    expect(openFilesLimit('/nonexistent/limits')).toBeNull();
    expect(openFilesLimit(limitsFile('nothing of the kind'))).toBeNull();
  });

  it("reads this process's own limit on Linux", () => {
    if (process.platform !== 'linux') return;
    expect(openFilesLimit()).toBeGreaterThan(0);
  });

  it('counts on the hard limit: Node raises its soft limit to it as it starts (a container starts at 1024)', () => {
    if (process.platform !== 'linux') return;
    const module = fileURLToPath(new URL('./connection-ceiling.ts', import.meta.url));
    const program = `import { connectionCeiling, openFilesLimit } from ${JSON.stringify(module)};
      const hard = /^Max open files\\s+\\S+\\s+(\\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))[1];
      console.log(hard, connectionCeiling(undefined, openFilesLimit()));`;
    const [hard, ceiling] = execFileSync(
      'sh',
      [
        '-c',
        `ulimit -Sn 256 && exec "${process.execPath}" --import tsx --input-type=module -e "import { readFileSync } from 'node:fs'; $0"`,
        program,
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split(' ')
      .map(Number);
    expect(hard).toBeGreaterThan(256);
    expect(ceiling).toBe(hard - RESERVED_DESCRIPTORS);
  });

  it('keeps descriptors for the node itself, unless a ceiling is configured', () => {
    expect(connectionCeiling(undefined, 20_000)).toBe(20_000 - RESERVED_DESCRIPTORS);
    expect(connectionCeiling(5_000, 20_000)).toBe(5_000);
    expect(connectionCeiling(undefined, null)).toBeUndefined();
    expect(connectionCeiling(undefined, 100)).toBe(1);
  });
});

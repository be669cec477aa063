import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

  it('keeps descriptors for the node itself, unless a ceiling is configured', () => {
    expect(connectionCeiling(undefined, 20_000)).toBe(20_000 - RESERVED_DESCRIPTORS);
    expect(connectionCeiling(5_000, 20_000)).toBe(5_000);
    expect(connectionCeiling(undefined, null)).toBeUndefined();
    expect(connectionCeiling(undefined, 100)).toBe(1);
  });
});

import { mkdtemp, readFile, rm, stat, writeFile, mkdir, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { resolveJwtSecret } from './jwt-secret.js';

describe('resolveJwtSecret', () => {
  let root: string;
  let dataDir: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'derbel-jwt-secret-'));
    dataDir = path.join(root, 'nested', 'data');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('uses JWT_SECRET when it is set, without touching the data folder', async () => {
    const secret = 's'.repeat(32);
    expect(await resolveJwtSecret(loadConfig({ JWT_SECRET: secret, DATA_DIR: dataDir }))).toBe(secret);
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('generates a secret once, keeps it in <DATA_DIR>/jwt-secret with mode 0600, and reuses it', async () => {
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
    const first = await resolveJwtSecret(config);
    expect(first.length).toBeGreaterThanOrEqual(32);

    const file = path.join(dataDir, 'jwt-secret');
    expect((await readFile(file, 'utf8')).trim()).toBe(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o755);
    expect(await readdir(dataDir)).toEqual(['jwt-secret']);

    expect(await resolveJwtSecret(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }))).toBe(first);
  });

  it('gives every data folder its own secret', async () => {
    const a = await resolveJwtSecret(loadConfig({ DATA_DIR: path.join(root, 'a') }));
    const b = await resolveJwtSecret(loadConfig({ DATA_DIR: path.join(root, 'b') }));
    expect(a).not.toBe(b);
  });

  it('agrees on one secret when several nodes share a data folder and start at once', async () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const secrets = await Promise.all(Array.from({ length: 8 }, () => resolveJwtSecret(config)));
    expect(new Set(secrets).size).toBe(1);
    expect(await readdir(dataDir)).toEqual(['jwt-secret']);
  });

  it('refuses to generate a secret in production', async () => {
    const config = { ...loadConfig({ DATA_DIR: dataDir }), nodeEnv: 'production' as const };
    await expect(resolveJwtSecret(config)).rejects.toThrow('JWT_SECRET is required when NODE_ENV=production');
  });

  it('rejects a secret file that was truncated or edited to something too short', async () => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'jwt-secret'), 'abc\n', { mode: 0o600 });
    await expect(resolveJwtSecret(loadConfig({ DATA_DIR: dataDir }))).rejects.toThrow(
      `${path.join(dataDir, 'jwt-secret')} holds a JWT secret shorter than 32 characters`,
    );
  });
});

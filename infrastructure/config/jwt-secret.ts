import { randomBytes } from 'node:crypto';
import { chmod, link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JWT_SECRET_MIN_LENGTH, type Config } from './config.js';
import { ensureDataDir } from './data-dir.js';

export const JWT_SECRET_FILE_NAME = 'jwt-secret';

/**
 * The secret that signs session tokens: `JWT_SECRET` when set. Outside production, when unset, a
 * random secret is generated once and kept in `<dataDir>/jwt-secret` (mode 0600), so sessions
 * survive a restart.
 */
export async function resolveJwtSecret(config: Pick<Config, 'jwtSecret' | 'nodeEnv' | 'dataDir'>): Promise<string> {
  if (config.jwtSecret !== undefined) return config.jwtSecret;
  if (config.nodeEnv === 'production') {
    throw new Error('JWT_SECRET is required when NODE_ENV=production; a generated secret is only used in development and test');
  }
  const file = path.join(config.dataDir, JWT_SECRET_FILE_NAME);
  return (await readSecretFile(file)) ?? (await createSecretFile(config.dataDir, file));
}

async function createSecretFile(dataDir: string, file: string): Promise<string> {
  await ensureDataDir(dataDir);
  const secret = randomBytes(48).toString('base64url');
  // Written aside, then linked into place: the file appears complete or not at all, and a node
  // sharing this data folder that got there first wins (link fails with EEXIST).
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(draft, file);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readSecretFile(file))!;
    throw error;
  } finally {
    await unlink(draft);
  }
}

async function readSecretFile(file: string): Promise<string | undefined> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const secret = content.trim();
  if (secret.length < JWT_SECRET_MIN_LENGTH) {
    throw new Error(
      `${file} holds a JWT secret shorter than ${JWT_SECRET_MIN_LENGTH} characters; delete the file to generate a new one, or set JWT_SECRET`,
    );
  }
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return secret;
}

import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Creates the app's data folder if missing. Folders created here get mode 0755 whatever the umask:
 * when Derbel runs as root, the embedded PostgreSQL runs as another user and must be able to pass
 * through them. Files that hold secrets protect themselves with mode 0600.
 */
export async function ensureDataDir(dataDir: string): Promise<void> {
  const firstCreated = await mkdir(dataDir, { recursive: true });
  if (firstCreated === undefined) return;
  for (let dir = path.resolve(dataDir); ; dir = path.dirname(dir)) {
    await chmod(dir, 0o755);
    if (dir === path.resolve(firstCreated)) break;
  }
}

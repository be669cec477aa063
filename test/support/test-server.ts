import { loadConfig } from '../../infrastructure/config/config.js';
import { createLogger } from '../../infrastructure/logger.js';
import { createServer, type DerbelServer, type ServerOverrides } from '../../infrastructure/server.js';
import { createMigratedTestDatabase, type TestDatabase } from './database.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

export interface TestServer {
  url: string;
  server: DerbelServer;
  db: TestDatabase;
  close(): Promise<void>;
}

/** A real api node on a fresh database (in this process), listening on a free port. */
export async function startTestServer(
  options: { env?: Record<string, string>; db?: TestDatabase; overrides?: ServerOverrides } = {},
): Promise<TestServer> {
  const db = options.db ?? (await createMigratedTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '1',
    HOST: '127.0.0.1',
    PASSWORD_ROUNDS: '4',
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: db.url,
    // As behind a proxy on this machine: tests stand for many clients with X-Forwarded-For.
    TRUST_PROXY: 'loopback',
    ...options.env,
  });
  const server = await createServer(
    { ...config, port: 0, databaseUrl: db.url, jwtSecret: config.jwtSecret ?? TEST_JWT_SECRET },
    createLogger(config.logLevel),
    options.overrides,
  );
  const url = (await server.listen()).replace('[::1]', '127.0.0.1');
  return {
    url,
    server,
    db,
    async close() {
      await server.close();
      if (!options.db) await db.drop();
    },
  };
}

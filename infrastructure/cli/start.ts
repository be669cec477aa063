import { ConfigError, describeConfig, loadConfig } from '../config/config.js';
import { ensureDataDir } from '../config/data-dir.js';
import { resolveJwtSecret } from '../config/jwt-secret.js';
import { startEmbeddedPostgres, type RunningEmbeddedPostgres } from '../database/embedded-postgres.js';
import { createLogger } from '../logger.js';
import { createServer } from '../server.js';

/** `npm start`: one api node; with no DATABASE_URL, on an embedded PostgreSQL in the data folder. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, { node: config.nodeId });
  logger.info({ config: describeConfig(config) }, 'starting Derbel');
  await ensureDataDir(config.dataDir);
  const jwtSecret = await resolveJwtSecret(config);

  let embedded: RunningEmbeddedPostgres | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, logger });
    databaseUrl = embedded.databaseUrl;
    logger.info('embedded PostgreSQL is up');
  }

  const server = await createServer({ ...config, databaseUrl, jwtSecret }, logger);
  const address = await server.listen();
  logger.info(`Derbel is listening on ${address}`);
  if (process.send) process.send({ type: 'listening', address });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info({ signal }, 'draining');
    // The orchestrator kills us at DRAIN_TIMEOUT_MS (Docker's default stop timeout: 10 s); the drain plans to end a second before.
    const deadline = setTimeout(() => {
      logger.error(`drain did not finish in ${config.drainTimeoutMs - 500} ms; exiting anyway`);
      process.exit(1);
    }, config.drainTimeoutMs - 500);
    deadline.unref();
    let code = 0;
    try {
      await server.drain();
      await embedded?.stop();
    } catch (error) {
      logger.error({ err: error }, 'drain failed');
      code = 1;
    } finally {
      logger.info({ ms: Date.now() - started }, 'stopped');
      process.exit(code);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

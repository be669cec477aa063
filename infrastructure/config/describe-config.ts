import type { Config } from './config.js';
import { maskUrlCredentials } from './mask-url.js';

const REDACTED = '[redacted]';

export type ConfigDescription = Omit<Config, 'jwtSecret' | 'turnSecret'> & {
  jwtSecret: typeof REDACTED | undefined;
  turnSecret: typeof REDACTED | undefined;
};

/** The configuration as it may be logged: secrets redacted, passwords in URLs masked. */
export function describeConfig(config: Config): ConfigDescription {
  const masked = (url: string | undefined) => (url === undefined ? undefined : maskUrlCredentials(url));
  return {
    ...config,
    databaseUrl: masked(config.databaseUrl),
    redisUrl: masked(config.redisUrl),
    eventStoreUrl: masked(config.eventStoreUrl),
    jwtSecret: config.jwtSecret === undefined ? undefined : REDACTED,
    turnSecret: config.turnSecret === undefined ? undefined : REDACTED,
    attachments: {
      ...config.attachments,
      s3: config.attachments.s3 && {
        ...config.attachments.s3,
        secretAccessKey: config.attachments.s3.secretAccessKey === undefined ? undefined : REDACTED,
      },
    },
  };
}

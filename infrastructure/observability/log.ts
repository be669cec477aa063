import type { Logger } from 'pino';

/** The part of the pino logger the runtime's components write to: they report, never swallow, what goes wrong. */
export type Log = Pick<Logger, 'info' | 'warn' | 'error'>;

import type { Log } from '../../infrastructure/observability/log.js';

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  msg: string | undefined;
  fields: Record<string, unknown>;
}

/** A `Log` that keeps what it is told, for specs to look at (pino's call forms: (obj, msg) or (msg)). */
export function recordingLog(): Log & { entries: LogEntry[]; messages(level?: LogEntry['level']): string[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (first: unknown, second?: unknown): void => {
      if (typeof first === 'string') entries.push({ level, msg: first, fields: {} });
      else entries.push({ level, msg: typeof second === 'string' ? second : undefined, fields: (first ?? {}) as Record<string, unknown> });
    };
  return {
    entries,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    messages: (level) => entries.filter((e) => level === undefined || e.level === level).map((e) => e.msg ?? ''),
  } as Log & { entries: LogEntry[]; messages(level?: LogEntry['level']): string[] };
}

/**
 * The SQLSTATEs this code acts on, by name (https://www.postgresql.org/docs/current/errcodes-appendix.html),
 * and those our own functions raise (migrations 001, 004 and 021).
 */
export const SQLSTATE = {
  uniqueViolation: '23505',
  duplicateDatabase: '42P04',
  duplicateSchema: '42P06',
  lockNotAvailable: '55P03',
  adminShutdown: '57P01',
  crashShutdown: '57P02',
  cannotConnectNow: '57P03',
  connectionDoesNotExist: '08003',
  connectionFailure: '08006',
  unableToConnect: '08001',
  /** `derbel_append_events`/`derbel_append_batch`: an append with expectation any/stream_exists lost a race for a revision; retry. */
  revisionTakenConcurrently: 'DB408',
  /** `derbel_append_events`: wrong expected revision; DETAIL holds the actual revision or 'no_stream'. */
  wrongExpectedRevision: 'DB409',
  /** `derbel_projection_fence`: a checkpoint moved under the projection leader (it starts over). */
  projectionMoved: 'DB412',
} as const;

/** SQLSTATE classes: the first two characters of a code. */
export const SQLSTATE_CLASS = {
  dataException: '22',
  integrityConstraintViolation: '23',
  programLimitExceeded: '54',
  /** Too many connections, out of memory, disk full: the server is full for now, not broken. */
  insufficientResources: '53',
} as const;

/** The SQLSTATE of a PostgreSQL error (five characters), or undefined for anything else. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

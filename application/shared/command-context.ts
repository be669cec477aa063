/** Who issued a command and why: carried into every event's metadata. */
export interface CommandContext {
  userId: string | null;
  /** The request id that started this chain of work. */
  correlationId: string;
  /** The id of the command (or event) that caused these events; defaults to the correlation id. */
  causationId?: string;
}

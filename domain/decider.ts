import type { DomainErrorCode } from './error-codes.js';

/**
 * A decider (Emmett / Jérémie Chassaing style): pure functions, no I/O, no clock, no id generation.
 * Time and ids arrive inside commands; the handler supplies them.
 */
export interface Decider<State, Command, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** A business rule was violated. `code` is machine-readable and mapped to HTTP/socket errors at the edge. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

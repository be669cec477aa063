import { expect } from 'vitest';
import { DomainError, type Decider } from '../../domain/decider.js';
import type { DomainErrorCode } from '../../domain/error-codes.js';

/**
 * Given/when/then for any decider (after Emmett's `DeciderSpecification`):
 *
 *   DeciderSpecification.for(contactDecider)
 *     .given([contactAdded])
 *     .when(sendMessage)
 *     .then([messageSent]);          // or .thenThrows('NOT_A_MEMBER')
 *
 * `given` folds the events from a fresh `initialState()`. Both outcomes also check that `decide`
 * left the state untouched: handlers cache state and evolve it in place only after an append succeeds.
 */
export const DeciderSpecification = {
  for<State, Command, Event>(decider: Decider<State, Command, Event>) {
    return {
      given(events: Event[]) {
        return {
          when(command: Command) {
            const decideOn = (): { state: State; before: unknown; outcome: () => Event[] } => {
              const state = events.reduce((folded, event) => decider.evolve(folded, event), decider.initialState());
              return { state, before: structuredClone(state), outcome: () => decider.decide(command, state) };
            };

            return {
              then(expectedEvents: Event[]): void {
                const { state, before, outcome } = decideOn();
                const actual = outcome();
                expect(actual).toEqual(expectedEvents);
                expect(state, 'decide must not change the state').toEqual(before);
              },

              thenThrows(code: DomainErrorCode): void {
                const { state, before, outcome } = decideOn();
                let decided: Event[];
                try {
                  decided = outcome();
                } catch (error) {
                  expect(error).toBeInstanceOf(DomainError);
                  expect((error as DomainError).code).toBe(code);
                  expect(state, 'decide must not change the state').toEqual(before);
                  return;
                }
                expect.fail(`expected DomainError ${code}, but decide returned ${JSON.stringify(decided)}`);
              },
            };
          },
        };
      },
    };
  },
};

import { describe, expect, it } from 'vitest';
import { DomainError, type Decider } from '../../domain/decider.js';
import { DeciderSpecification } from './decider-specification.js';

type Counter = { count: number };
type Command = { type: 'Increment'; by: number };
type Event = { type: 'Incremented'; by: number };

const counter: Decider<Counter, Command, Event> = {
  initialState: () => ({ count: 0 }),
  decide: ({ by }, state) => {
    if (by <= 0) throw new DomainError('INVALID_MEMBERS', 'by must be positive');
    if (state.count + by > 3) throw new Error('plain error');
    return [{ type: 'Incremented', by }];
  },
  evolve: (state, { by }) => ({ count: state.count + by }),
};

const spec = DeciderSpecification.for(counter);
const incremented = (by: number): Event => ({ type: 'Incremented', by });

describe('DeciderSpecification', () => {
  it('passes when decide returns the expected events', () => {
    spec
      .given([incremented(1)])
      .when({ type: 'Increment', by: 2 })
      .then([incremented(2)]);
  });

  it('fails when decide returns other events', () => {
    expect(() =>
      spec
        .given([])
        .when({ type: 'Increment', by: 2 })
        .then([incremented(1)]),
    ).toThrow();
  });

  it('folds the given events before deciding', () => {
    expect(() =>
      spec
        .given([incremented(3)])
        .when({ type: 'Increment', by: 1 })
        .then([incremented(1)]),
    ).toThrow('plain error');
  });

  it('passes thenThrows only for a DomainError with that code', () => {
    spec.given([]).when({ type: 'Increment', by: 0 }).thenThrows('INVALID_MEMBERS');
    expect(() => spec.given([]).when({ type: 'Increment', by: 0 }).thenThrows('ALREADY_JOINED')).toThrow();
    expect(() =>
      spec
        .given([incremented(3)])
        .when({ type: 'Increment', by: 1 })
        .thenThrows('INVALID_MEMBERS'),
    ).toThrow();
    expect(() => spec.given([]).when({ type: 'Increment', by: 1 }).thenThrows('INVALID_MEMBERS')).toThrow(/decide returned/);
  });

  it('fails when decide changes the state it was given', () => {
    const mutating: Decider<Counter, Command, Event> = {
      ...counter,
      decide: (command, state) => {
        state.count += command.by;
        return [incremented(command.by)];
      },
    };
    expect(() =>
      DeciderSpecification.for(mutating)
        .given([])
        .when({ type: 'Increment', by: 1 })
        .then([incremented(1)]),
    ).toThrow(/decide must not change the state/);
  });
});

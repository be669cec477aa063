import { expect } from 'vitest';
import { foldBatch, type Fold } from '../../projections/fold.js';
import type { RecordedDerbelEvent } from '../../projections/recorded-event.js';

/** A small seeded generator, so that a failing law names a log that can be replayed. */
export function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
}
export type Random = ReturnType<typeof random>;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The laws every fold obeys, checked over `events` (a log the fold can apply, no malformed events):
 * - `evolve` never mutates the document it is given (documents are frozen, a write throws);
 * - a `createsOnly` event returns every existing document of its key unchanged (the very object);
 * - whatever the batches, `foldBatch` over a store gives what folding one event at a time gives, and sorts
 *   its results truly: `created` were absent, `changed` were present as `before`; with and without memory.
 * `keyOfDoc` is the key `keyOf` gives the events of a document.
 */
export async function checkFoldLaws<Doc, E extends RecordedDerbelEvent>(
  fold: Fold<Doc, E>,
  keyOfDoc: (doc: Doc) => string,
  events: readonly RecordedDerbelEvent[],
  rnd: Random,
): Promise<void> {
  // Every document each key goes through, as the log folds.
  const seen = new Map<string, Doc[]>();
  const expected = new Map<string, Doc>();
  for (const event of events) {
    if (!fold.handles(event)) continue;
    const key = fold.keyOf(event);
    const after = fold.evolve(expected.get(key) ?? null, event);
    if (after === null) continue;
    expect(keyOfDoc(after), `${event.type} at ${event.position} evolved a document of another key`).toBe(key);
    expected.set(key, deepFreeze(after));
    seen.set(key, [...(seen.get(key) ?? []), after]);
  }
  for (const event of events) {
    if (!fold.handles(event) || !fold.createsOnly?.(event)) continue;
    for (const doc of seen.get(fold.keyOf(event)) ?? []) {
      expect(fold.evolve(doc, event), `${event.type} at ${event.position} is createsOnly, yet changed a document`).toBe(doc);
    }
  }

  for (const withMemory of [false, true]) {
    const store = new Map<string, Doc>();
    const memory = withMemory ? new Map<string, unknown>() : undefined;
    for (let i = 0; i < events.length;) {
      const size = 1 + rnd.int(Math.min(8, events.length - i));
      const batch = events.slice(i, i + size);
      i += size;
      const load = async (keys: string[]) => new Map(keys.filter((k) => store.has(k)).map((k) => [k, store.get(k)!]));
      const result = await foldBatch(fold, batch, load, { memory });
      for (const doc of result.created) expect(store.has(keyOfDoc(doc)), 'created means it was absent').toBe(false);
      for (const { before, after } of result.changed) {
        expect(store.get(keyOfDoc(before)), 'changed means it was there as before').toEqual(before);
        store.set(keyOfDoc(after), deepFreeze(after));
      }
      for (const doc of [...result.created, ...result.createdIfAbsent])
        if (!store.has(keyOfDoc(doc))) store.set(keyOfDoc(doc), deepFreeze(doc));
    }
    expect(store, `foldBatch in random batches ${withMemory ? 'with' : 'without'} memory`).toEqual(expected);
  }
}

import type { LeaderMemory } from './projection.js';
import type { RecordedDerbelEvent } from './recorded-event.js';

/**
 * How a read model's events change its documents (a row, or the rows of one contact): the one definition
 * of the read model, used live, in rebuilds and in time travel. Pure: no I/O, no clock.
 */
export interface Fold<Doc, E extends RecordedDerbelEvent> {
  /** Whether the event concerns this read model (narrows it). */
  handles(event: RecordedDerbelEvent): event is E;
  /** The document the event changes; checks the ids it reads (throws `MalformedEventError`). */
  keyOf(event: E): string;
  /** The document after the event; must return a new object when anything changed, never mutate. */
  evolve(doc: Doc | null, event: E): Doc | null;
  /**
   * Events that only create their document: `evolve(doc, event) === doc` for every existing `doc`. A
   * document touched only by such events need not be read: it is written "if absent".
   */
  createsOnly?(event: E): boolean;
}

export interface FoldedBatch<Doc> {
  /** Documents read (or remembered) as absent and created by the batch: insert. */
  created: Doc[];
  /** Documents that were not read because only `createsOnly` events touched them: insert if absent. */
  createdIfAbsent: Doc[];
  /** Documents read (or remembered) and changed by the batch: update. */
  changed: Array<{ before: Doc; after: Doc }>;
}

/**
 * Applies a fold to a batch: reads the documents the batch changes in one call of `load` (except those the
 * memory holds and those only created), folds every event in order, and sorts the results by what the
 * caller must write. `onEvent` sees each event with its document after it and before it (e.g. the feed's
 * recipients).
 */
export async function foldBatch<Doc, E extends RecordedDerbelEvent>(
  fold: Fold<Doc, E>,
  events: readonly RecordedDerbelEvent[],
  load: (keys: string[]) => Promise<Map<string, Doc>>,
  options: { memory?: LeaderMemory; onEvent?: (event: E, doc: Doc | null, previous: Doc | null) => void } = {},
): Promise<FoldedBatch<Doc>> {
  const { memory, onEvent } = options;
  const mine: Array<{ event: E; key: string }> = [];
  const onlyCreated = new Map<string, boolean>();
  for (const event of events) {
    if (!fold.handles(event)) continue;
    const key = fold.keyOf(event);
    mine.push({ event, key });
    onlyCreated.set(key, (onlyCreated.get(key) ?? true) && (fold.createsOnly?.(event) ?? false));
  }
  const before = new Map<string, Doc | null>();
  const toRead: string[] = [];
  for (const [key, created] of onlyCreated) {
    const remembered = memory?.get(key) as Doc | undefined;
    if (remembered !== undefined) before.set(key, remembered);
    else if (!created) toRead.push(key);
  }
  if (toRead.length > 0) {
    const stored = await load(toRead);
    for (const key of toRead) before.set(key, stored.get(key) ?? null);
  }
  const current = new Map<string, Doc | null>();
  for (const { event, key } of mine) {
    const previous = current.has(key) ? current.get(key)! : (before.get(key) ?? null);
    const doc = fold.evolve(previous, event);
    current.set(key, doc);
    onEvent?.(event, doc, previous);
  }
  const result: FoldedBatch<Doc> = { created: [], createdIfAbsent: [], changed: [] };
  for (const [key, doc] of current) {
    const known = before.has(key);
    const old = before.get(key) ?? null;
    if (known && doc !== null) memory?.set(key, doc);
    // No read model here ever removes a document (a null after a document is "unchanged").
    if (doc === null || doc === old) continue;
    if (!known) result.createdIfAbsent.push(doc);
    else if (old === null) result.created.push(doc);
    else result.changed.push({ before: old, after: doc });
  }
  return result;
}

import type { EventMetadata } from '../ports/event-store.js';

/** Turns the `data` of one event type from `fromVersion` into the shape of `fromVersion + 1`. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  // Stored JSON of an older schema, whose shape only the upcaster itself knows.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  upcast(data: any, metadata: EventMetadata): unknown;
}

interface VersionedEvent {
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export class MissingUpcasterError extends Error {
  constructor(
    readonly type: string,
    readonly version: number,
    readonly current: number,
  ) {
    super(`No upcaster for ${type} version ${version} (current version ${current})`);
    this.name = 'MissingUpcasterError';
  }
}

/**
 * `(type, fromVersion) → transform` chains. Reads pass every event through `upcast`, so deciders and
 * projections only ever see the current shape. An event without `metadata.schemaVersion` is version 1.
 * An event newer than this code knows (written by a newer node during a rolling deploy) passes unchanged.
 */
export class UpcasterRegistry {
  private readonly upcasters = new Map<string, Upcaster>();
  private readonly currentVersions = new Map<string, number>();

  constructor(upcasters: Upcaster[] = []) {
    for (const upcaster of upcasters) this.register(upcaster);
  }

  register(upcaster: Upcaster): this {
    if (!Number.isInteger(upcaster.fromVersion) || upcaster.fromVersion < 1) {
      throw new Error(`Upcaster for ${upcaster.type}: fromVersion must be an integer ≥ 1`);
    }
    const key = keyOf(upcaster.type, upcaster.fromVersion);
    if (this.upcasters.has(key)) throw new Error(`Upcaster for ${upcaster.type} version ${upcaster.fromVersion} is registered twice`);
    this.upcasters.set(key, upcaster);
    this.currentVersions.set(upcaster.type, Math.max(this.currentVersion(upcaster.type), upcaster.fromVersion + 1));
    return this;
  }

  /** The version writers should stamp on new events of this type. */
  currentVersion(type: string): number {
    return this.currentVersions.get(type) ?? 1;
  }

  /** The event in the current shape: the same object when it already is, a copy otherwise. */
  upcast<E extends VersionedEvent>(event: E): E {
    const current = this.currentVersions.get(event.type);
    if (current === undefined) return event;
    let version = event.metadata?.schemaVersion ?? 1;
    if (version >= current) return event;
    let data = event.data;
    for (; version < current; version++) {
      const upcaster = this.upcasters.get(keyOf(event.type, version));
      if (!upcaster) throw new MissingUpcasterError(event.type, version, current);
      data = upcaster.upcast(data, event.metadata);
    }
    return { ...event, data, metadata: { ...event.metadata, schemaVersion: version } };
  }
}

const keyOf = (type: string, version: number) => `${type}\u0000${version}`;

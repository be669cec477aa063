/** The part of the Web Storage API the client uses, so node tests can pass a Map-backed one. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function memoryStore(): KeyValueStore {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, String(value)),
    removeItem: (key) => void values.delete(key),
  };
}

/** `window.localStorage`/`sessionStorage` when usable (they throw in some sandboxed iframes), memory otherwise. */
export function browserStore(kind: 'localStorage' | 'sessionStorage'): KeyValueStore {
  try {
    const storage = globalThis[kind];
    if (storage) {
      storage.getItem('derbel.probe');
      return storage;
    }
  } catch {
    /* fall through */
  }
  return memoryStore();
}

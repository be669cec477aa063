/**
 * Compiled schemas (validators, serializers) by the JSON text of their schema and of a context the result also
 * depends on. The route files build their schemas as they register, so every app in a process (a test file starts
 * several) would compile them again, and the compilers would keep every copy.
 */
export class CompiledByText<T> {
  private readonly compiled = new Map<string, T>();

  get(schema: unknown, context: string, compile: () => T): T {
    const key = `${context}\0${JSON.stringify(schema)}`;
    let result = this.compiled.get(key);
    if (result === undefined) this.compiled.set(key, (result = compile()));
    return result;
  }

  get size() {
    return this.compiled.size;
  }
}

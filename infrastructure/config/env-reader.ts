import { maskUrlCredentials } from './mask-url.js';

export type Environment = Record<string, string | undefined>;

/**
 * Reads environment variables one by one, remembering every bad value instead of stopping at the
 * first, so that one start-up error can list them all. Each reader returns the fallback when the
 * variable is unset (an empty or blank value counts as unset) or invalid.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  /** The trimmed value, or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problem(`${name} must be one of ${allowed.join(', ')}, got ${quote(value)}`);
    return fallback;
  }

  integer(name: string, range: { min: number; max: number; description?: string }, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
    if (Number.isSafeInteger(parsed) && parsed >= range.min && parsed <= range.max) return parsed;
    this.problem(`${name} must be ${range.description ?? `an integer ${range.min}-${range.max}`}, got ${quote(value)}`);
    return fallback;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === 'true' || value === 'false') return value === 'true';
    this.problem(`${name} must be true or false, got ${quote(this.raw(name)!)}`);
    return fallback;
  }

  onOff(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === 'on' || value === 'off') return value === 'on';
    this.problem(`${name} must be on or off, got ${quote(this.raw(name)!)}`);
    return fallback;
  }

  /** A URL whose scheme is one of `schemes` (e.g. `postgres`, `esdb+discover`); the password is masked in messages. */
  url(name: string, schemes: readonly string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const scheme = /^([a-z][a-z0-9+.-]*):\/\/[^\s/?#]+/i.exec(value)?.[1]?.toLowerCase();
    if (scheme !== undefined && schemes.includes(scheme)) return value;
    const expected = schemes.map((s) => `${s}://`).join(' or ');
    this.problem(`${name} must be a URL starting with ${expected}, got ${quote(maskUrlCredentials(value))}`);
    return undefined;
  }

  /** A comma-separated list; every item is checked, each bad one is reported. */
  list(name: string, item: { isValid(value: string): boolean; description: string }, fallback: string[]): string[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const items = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const bad = items.filter((entry) => !item.isValid(entry));
    for (const entry of bad) this.problem(`${name} entries must each be ${item.description}, got ${quote(entry)}`);
    return bad.length === 0 ? items : fallback;
  }

  /** A number of seconds (`3600`) or a duration with a unit: `90s`, `15m`, `1h`, `7d`. */
  durationSeconds(name: string, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = /^(\d+)\s*(s|m|h|d)?$/i.exec(value);
    const seconds = match ? Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's').toLowerCase()] : NaN;
    if (Number.isSafeInteger(seconds) && seconds > 0) return seconds;
    this.problem(`${name} must be a positive number of seconds or a duration like 15m, 1h, 7d, got ${quote(value)}`);
    return fallback;
  }

  /** A secret: its value never appears in a message, only its length. */
  secret(name: string, minLength = 1): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (value.length >= minLength) return value;
    this.problem(`${name} must be at least ${minLength} characters, got ${value.length}`);
    return undefined;
  }

  /** Free text checked by a pattern; `description` says what was expected. */
  matching(name: string, pattern: RegExp, description: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (pattern.test(value)) return value;
    this.problem(`${name} must be ${description}, got ${quote(value)}`);
    return undefined;
  }
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

function quote(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}

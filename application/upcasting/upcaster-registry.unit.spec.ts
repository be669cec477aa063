import { describe, expect, it } from 'vitest';
import { MissingUpcasterError, UpcasterRegistry } from './upcaster-registry.js';

const meta = (schemaVersion?: number) => ({
  userId: null,
  correlationId: 'c',
  causationId: 'c',
  timestamp: '2026-11-25T10:00:00.000Z',
  ...(schemaVersion ? { schemaVersion } : {}),
});

describe('UpcasterRegistry', () => {
  const registry = new UpcasterRegistry([
    { type: 'MessageSent', fromVersion: 2, upcast: (d) => ({ ...d, format: 'plain' }) },
    { type: 'MessageSent', fromVersion: 1, upcast: ({ body, from, ...rest }) => ({ ...rest, text: body, senderId: from }) },
  ]);

  it('chains upcasters from the stored version to the current one, whatever order they were registered in', () => {
    const event = { type: 'MessageSent', data: { messageId: 'm', from: 'u', body: 'hi' }, metadata: meta(1) };
    expect(registry.currentVersion('MessageSent')).toBe(3);
    expect(registry.upcast(event)).toEqual({
      type: 'MessageSent',
      data: { messageId: 'm', senderId: 'u', text: 'hi', format: 'plain' },
      metadata: meta(3),
    });
    expect(event.data).toEqual({ messageId: 'm', from: 'u', body: 'hi' });
  });

  it('treats an event without schemaVersion as version 1', () => {
    expect(registry.upcast({ type: 'MessageSent', data: { from: 'u', body: 'x' }, metadata: meta() }).data).toEqual({
      senderId: 'u',
      text: 'x',
      format: 'plain',
    });
  });

  it('hands back current events, newer events and types without upcasters untouched (the same object)', () => {
    const current = { type: 'MessageSent', data: { text: 'x' }, metadata: meta(3) };
    const newer = { type: 'MessageSent', data: { text: 'x' }, metadata: meta(4) };
    const other = { type: 'ContactAdded', data: {}, metadata: meta(1) };
    expect(registry.upcast(current)).toBe(current);
    expect(registry.upcast(newer)).toBe(newer);
    expect(registry.upcast(other)).toBe(other);
    expect(registry.currentVersion('ContactAdded')).toBe(1);
  });

  it('reports a gap in a chain instead of handing out a half-upcast event', () => {
    const gappy = new UpcasterRegistry([{ type: 'T', fromVersion: 2, upcast: (d) => d }]);
    expect(() => gappy.upcast({ type: 'T', data: {}, metadata: meta(1) })).toThrow(MissingUpcasterError);
    expect(() => gappy.upcast({ type: 'T', data: {}, metadata: meta(1) })).toThrow('No upcaster for T version 1 (current version 3)');
  });

  it('refuses a second upcaster for the same type and version, and versions below 1', () => {
    expect(() =>
      new UpcasterRegistry()
        .register({ type: 'T', fromVersion: 1, upcast: (d) => d })
        .register({ type: 'T', fromVersion: 1, upcast: (d) => d }),
    ).toThrow('registered twice');
    expect(() => new UpcasterRegistry().register({ type: 'T', fromVersion: 0, upcast: (d) => d })).toThrow(
      'fromVersion must be an integer ≥ 1',
    );
  });
});

import {
  ANY,
  EVENT_TYPE,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type RegexFilter,
} from '@kurrent/kurrentdb-client';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb.js';
import { WrongExpectedVersion } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import { describe, expect, it } from 'vitest';
import { WrongExpectedRevisionError } from '../../application/ports/event-store.js';
import { DERBEL_EVENT_TYPES } from '../../domain/events.js';
import {
  UnrepresentablePositionError,
  eventFilter,
  toClientPosition,
  toPortPosition,
  toPortRevision,
  toRecordedEvent,
  toStreamState,
  translateAppendError,
} from './kurrentdb-mapping.js';

describe('KurrentDB positions ↔ port positions', () => {
  it('maps a position whose commit and prepare agree to that offset, and back', () => {
    expect(toPortPosition({ commit: 1_234_567n, prepare: 1_234_567n })).toBe(1_234_567);
    expect(toClientPosition(1_234_567)).toEqual({ commit: 1_234_567n, prepare: 1_234_567n });
    const large = 2n ** 52n + 17n;
    expect(toClientPosition(toPortPosition({ commit: large, prepare: large }))).toEqual({ commit: large, prepare: large });
  });

  it('maps "from the beginning" (0) to the start of $all', () => {
    expect(toClientPosition(0)).toBe(START);
  });

  it('refuses positions one number cannot carry instead of rounding them', () => {
    expect(() => toPortPosition({ commit: 2_000n, prepare: 1_500n })).toThrow(UnrepresentablePositionError);
    const huge = 2n ** 53n;
    expect(() => toPortPosition({ commit: huge, prepare: huge })).toThrow(UnrepresentablePositionError);
    expect(() => toClientPosition(-1)).toThrow(RangeError);
    expect(() => toClientPosition(1.5)).toThrow(RangeError);
  });

  it('keeps the order of $all', () => {
    const offsets = [120n, 4_711n, 4_900n, 90_210n];
    const mapped = offsets.map((o) => toPortPosition({ commit: o, prepare: o }));
    expect([...mapped].sort((a, b) => a - b)).toEqual(mapped);
  });
});

describe('expected revisions → client stream states', () => {
  it('maps each expectation', () => {
    expect(toStreamState('any')).toBe(ANY);
    expect(toStreamState('no_stream')).toBe(NO_STREAM);
    expect(toStreamState('stream_exists')).toBe(STREAM_EXISTS);
    expect(toStreamState(0)).toBe(0n);
    expect(toStreamState(41)).toBe(41n);
    expect(() => toStreamState(-1)).toThrow(RangeError);
  });

  it('maps client revisions back to numbers', () => {
    expect(toPortRevision(0n)).toBe(0);
    expect(toPortRevision(99n)).toBe(99);
    expect(() => toPortRevision(-1n)).toThrow(RangeError);
  });
});

describe('WrongExpectedVersion → WrongExpectedRevisionError', () => {
  /** The error exactly as the client builds it from the server's append response. */
  const fromServer = (stream: string, current: bigint | 'none', expected: { revision?: bigint; noStream?: boolean }) => {
    const details = new WrongExpectedVersion();
    if (current === 'none') details.setCurrentNoStream(new Empty());
    else details.setCurrentStreamRevision(current.toString());
    if (expected.revision !== undefined) details.setExpectedStreamPosition(expected.revision.toString());
    if (expected.noStream) details.setExpectedNoStream(new Empty());
    return WrongExpectedVersionError.fromWrongExpectedVersion(details, stream);
  };

  it('carries the stream, what we expected and the actual revision', () => {
    const translated = translateAppendError(fromServer('contact-1', 4n, { noStream: true }), 'contact-1', 'no_stream');
    expect(translated).toBeInstanceOf(WrongExpectedRevisionError);
    expect(translated).toMatchObject({ stream: 'contact-1', expected: 'no_stream', actual: 4 });
  });

  it('reports a missing stream as no_stream', () => {
    expect(translateAppendError(fromServer('account-2', 'none', { revision: 0n }), 'account-2', 0)).toMatchObject({
      expected: 0,
      actual: 'no_stream',
    });
  });

  it('understands the v2 protocol conflict details and the raw -1 of gRPC trailers', () => {
    const v2 = WrongExpectedVersionError.fromRevisionConflict({ stream: 's', expectedRevision: '2', actualRevision: '7' } as never);
    expect(translateAppendError(v2, 's', 2)).toMatchObject({ actual: 7 });
    const raw = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: -1n });
    expect(translateAppendError(raw, 's', 0)).toMatchObject({ actual: 'no_stream' });
  });

  it('leaves every other error alone', () => {
    const unavailable = new UnavailableError();
    expect(translateAppendError(unavailable, 's', 'any')).toBe(unavailable);
  });
});

describe('the $all filter', () => {
  const matches = (filter: RegexFilter, type: string) => new RegExp(filter.regex).test(type);

  it('lets through exactly our event types', () => {
    const filter = eventFilter(DERBEL_EVENT_TYPES) as RegexFilter;
    expect(filter.filterOn).toBe(EVENT_TYPE);
    for (const type of DERBEL_EVENT_TYPES) expect(matches(filter, type)).toBe(true);
    for (const type of ['MessageSentV2', 'XMessageSent', '$>', '$metadata', 'OrderPlaced', '']) expect(matches(filter, type)).toBe(false);
  });

  it('escapes regex characters in type names', () => {
    const filter = eventFilter(['a.b']) as RegexFilter;
    expect(matches(filter, 'a.b')).toBe(true);
    expect(matches(filter, 'axb')).toBe(false);
  });

  it('with null, lets through every non-system event', () => {
    const filter = eventFilter(null) as RegexFilter;
    expect(matches(filter, 'TestHappened')).toBe(true);
    expect(matches(filter, '$statsCollected')).toBe(false);
  });
});

describe('resolved events → recorded events', () => {
  const metadata = { userId: 'u1', correlationId: 'req-1', causationId: 'req-1', timestamp: '2026-11-25T10:00:00.000Z' };
  const resolved = (overrides: Partial<NonNullable<AllStreamResolvedEvent['event']>> = {}): AllStreamResolvedEvent => ({
    event: {
      streamId: 'contact-9',
      id: '5b8f0a53-0f8e-4a55-9d1b-1f3c3b1e8d11',
      isJson: true,
      revision: 3n,
      type: 'MessageSent',
      created: new Date('2026-11-25T10:00:00Z'),
      data: { contactId: '9', text: 'hi' },
      metadata,
      position: { commit: 8_800n, prepare: 8_800n },
      ...overrides,
    } as NonNullable<AllStreamResolvedEvent['event']>,
    commitPosition: 8_800n,
  });

  it('maps id, type, data, metadata, stream, revision and position', () => {
    expect(toRecordedEvent(resolved())).toEqual({
      id: '5b8f0a53-0f8e-4a55-9d1b-1f3c3b1e8d11',
      type: 'MessageSent',
      data: { contactId: '9', text: 'hi' },
      metadata,
      streamId: 'contact-9',
      revision: 3,
      position: 8_800,
    });
  });

  it('skips system events, binary events and unresolved links', () => {
    expect(toRecordedEvent(resolved({ type: '$>' }))).toBeUndefined();
    expect(toRecordedEvent(resolved({ isJson: false, data: new Uint8Array([1]) } as never))).toBeUndefined();
    expect(toRecordedEvent({ commitPosition: 10n })).toBeUndefined();
  });

  it('refuses an event without a position', () => {
    expect(() => toRecordedEvent(resolved({ position: undefined }))).toThrow(/without a position/);
  });
});

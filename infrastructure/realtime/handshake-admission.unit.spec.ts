import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HandshakeAdmission, type Admission } from './handshake-admission.js';

const TICK_MS = 250;

describe('HandshakeAdmission', () => {
  let utilization = 0.1;
  let saturated = false;
  let admission: HandshakeAdmission;

  beforeEach(() => {
    vi.useFakeTimers();
    utilization = 0.1;
    saturated = false;
  });
  afterEach(() => {
    admission.close();
    vi.useRealTimers();
  });

  const create = (maxPerSecond: number, minPerSecond = 20) =>
    (admission = new HandshakeAdmission({
      maxPerSecond,
      minPerSecond,
      tickMs: TICK_MS,
      now: () => Date.now(),
      utilization: () => utilization,
      saturated: () => saturated,
    }));
  const admitMany = (n: number) => Array.from({ length: n }, () => admission.admit());
  const refused = (results: Admission[]) => results.flatMap((r) => (r.admitted ? [] : [r.retryAfterMs]));

  it('takes a quarter of a second’s worth at once and gives the rest slots laid out at its rate', () => {
    create(400);
    const results = admitMany(1_100);
    expect(results.filter((r) => r.admitted)).toHaveLength(100);
    const slots = refused(results);
    expect(slots).toHaveLength(1_000);
    // One every 2.5 ms (400 a second), in the order they asked: the thousandth comes back after 2.5 s.
    expect(slots[0]).toBe(3);
    expect(slots[999]).toBe(2_500);
    for (let i = 1; i < slots.length; i++) expect(slots[i]).toBeGreaterThanOrEqual(slots[i - 1]);
  });

  it('says how far ahead its last promised slot lies, and nothing once it has passed', () => {
    create(400);
    expect(admission.slotsPromisedForMs()).toBe(0);
    admitMany(1_100);
    expect(admission.slotsPromisedForMs()).toBe(2_500);
    vi.advanceTimersByTime(2_000);
    expect(admission.slotsPromisedForMs()).toBe(500);
    vi.advanceTimersByTime(1_000);
    expect(admission.slotsPromisedForMs()).toBe(0);
  });

  it('admits the refused when they come back at their slots', () => {
    create(400);
    const slots = refused(admitMany(1_100));
    // Each comes back at its slot (the schedule's order), a little late as the web client is.
    const returns = slots.map((ms, i) => ({ at: ms + (i % 5) * 10 })).sort((a, b) => a.at - b.at);
    let clock = 0;
    let admittedOnReturn = 0;
    for (const { at } of returns) {
      vi.advanceTimersByTime(at - clock);
      clock = at;
      if (admission.admit().admitted) admittedOnReturn++;
    }
    expect(admittedOnReturn).toBeGreaterThanOrEqual(990);
  });

  it('refills at its rate, never beyond a quarter of a second’s worth', () => {
    create(400);
    admitMany(100);
    expect(admission.admit().admitted).toBe(false);
    vi.advanceTimersByTime(50); // 20 tokens
    expect(admitMany(25).filter((r) => r.admitted)).toHaveLength(20);
    vi.advanceTimersByTime(10_000);
    expect(admitMany(150).filter((r) => r.admitted)).toHaveLength(100);
  });

  it('takes fewer while its event loop is busy, down to the floor, and spreads the refused wider', () => {
    create(1_000, 50);
    utilization = 0.95;
    vi.advanceTimersByTime(TICK_MS);
    expect(admission.state.perSecond).toBe(700);
    vi.advanceTimersByTime(TICK_MS * 20);
    expect(admission.state.perSecond).toBe(50);
    vi.advanceTimersByTime(10_000);
    const slots = refused(admitMany(112)); // 12 at once (a quarter second at 50/s), then one slot every 20 ms
    expect(slots).toHaveLength(100);
    expect(slots[99]).toBe(2_000);
  });

  it('takes fewer while requests queue for the database, whatever the event loop says', () => {
    create(1_000);
    saturated = true;
    vi.advanceTimersByTime(TICK_MS * 2);
    expect(admission.state.perSecond).toBe(490);
  });

  it('climbs back to its ceiling once the node is idle again', () => {
    create(1_000, 50);
    utilization = 0.95;
    vi.advanceTimersByTime(TICK_MS * 20);
    expect(admission.state.perSecond).toBe(50);
    utilization = 0.3;
    vi.advanceTimersByTime(TICK_MS * 4);
    expect(admission.state.perSecond).toBeGreaterThan(100);
    vi.advanceTimersByTime(TICK_MS * 20);
    expect(admission.state.perSecond).toBe(1_000);
  });

  it('holds its rate between the two thresholds', () => {
    create(1_000);
    utilization = 0.95;
    vi.advanceTimersByTime(TICK_MS);
    utilization = 0.7;
    vi.advanceTimersByTime(TICK_MS * 10);
    expect(admission.state.perSecond).toBe(700);
  });

  it('counts what it admitted and refused', () => {
    create(40);
    admitMany(15);
    expect(admission.state).toMatchObject({ admitted: 10, refused: 5 });
  });
});

/** Counts turns of the event loop (one `setImmediate` tick each) until stopped: which turn something ran in. */
export function turnCounter() {
  let turn = 0;
  let ticking = true;
  const tick = () => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  return { now: () => turn, stop: () => void (ticking = false) };
}

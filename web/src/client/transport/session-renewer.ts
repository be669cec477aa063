/** What `POST /api/sessions/refresh` answers. */
export type RenewedSession = { token: string; csrfToken: string; expiresAt: string };

/** Renew when this share of the access token's life has passed (at least a second before it ends). */
const RENEW_AT = 0.75;

/**
 * Keeps a session alive while the app is open: renews the short-lived access token before it runs out, and
 * once more when a request meets a 401 (a laptop that slept through the timer). The refresh token itself
 * travels only in its HttpOnly cookie. One renewal at a time, whoever asks.
 */
export class SessionRenewer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<boolean> | null = null;

  constructor(
    private readonly call: () => Promise<RenewedSession>,
    private readonly onRenewed: (renewed: RenewedSession) => void,
  ) {}

  /** The current access token ends at `expiresAt` (ISO): renew ahead of it. */
  schedule(expiresAt: string | undefined) {
    this.stop();
    const ends = expiresAt ? Date.parse(expiresAt) : NaN;
    if (Number.isNaN(ends)) return;
    const left = ends - Date.now();
    // Timers past 2^31 - 1 ms fire at once; such a long token needs no timer yet.
    if (left > 2 ** 31 - 1) return;
    this.timer = setTimeout(() => void this.renew(), Math.max(0, Math.min(left * RENEW_AT, left - 1_000)));
  }

  /** True when the session was renewed; false when it has ended (sign in again). */
  renew(): Promise<boolean> {
    this.inFlight ??= this.call()
      .then((renewed) => {
        this.onRenewed(renewed);
        this.schedule(renewed.expiresAt);
        return true;
      })
      .catch(() => false)
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

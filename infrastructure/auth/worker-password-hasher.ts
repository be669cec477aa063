import { Piscina } from 'piscina';
import type { PasswordHasher } from '../../application/ports/auth.js';

/** bcrypt off the event loop, so a burst of sign-ins does not stall everyone else's messages. */
export class WorkerPasswordHasher implements PasswordHasher {
  private readonly pool: Piscina;

  constructor(
    private readonly rounds: number,
    threads = 1,
  ) {
    this.pool = new Piscina({
      filename: new URL('./bcrypt-worker.mjs', import.meta.url).href,
      minThreads: 1,
      maxThreads: threads,
      idleTimeout: 60_000,
    });
  }

  hash(password: string): Promise<string> {
    return this.pool.run({ password, rounds: this.rounds }, { name: 'hash' });
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.pool.run({ password, hash }, { name: 'verify' });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

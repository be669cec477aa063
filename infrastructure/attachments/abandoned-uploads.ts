import type { Logger } from 'pino';
import type { AttachmentService } from '../../application/attachments/attachment-service.js';
import type { Clock } from '../../application/shared/clock.js';

/** An upload not sent in a message within a day is dropped (files and row); checked every hour. */
export const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;
const EVERY_MS = 60 * 60 * 1000;

/** Starts the hourly clean-up of abandoned uploads; returns its stop. Every node may run it. */
export function sweepAbandonedUploads(attachments: AttachmentService, clock: Clock, log: Logger): () => void {
  const sweep = () =>
    attachments.removeAbandoned(new Date(clock.now().getTime() - ABANDONED_AFTER_MS)).then(
      (removed) => {
        if (removed > 0) log.info({ removed }, 'attachments: removed uploads never sent');
      },
      (err) => log.warn({ err }, 'attachments: could not remove uploads never sent; trying again in an hour'),
    );
  const timer = setInterval(sweep, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

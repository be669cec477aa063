import { runCli } from './commands/run-cli.js';

/** `npx derbel …`: operator tools over the event log (see `derbel help`). */
const controller = new AbortController();
process.on('SIGINT', () => {
  // The first Ctrl-C asks the command to stop cleanly; a second one does not wait.
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});
process.on('SIGTERM', () => controller.abort());
// Piped into `head` and the reader went away: that is a normal end, not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal }).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

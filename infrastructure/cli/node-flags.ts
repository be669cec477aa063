/**
 * The V8 flags every api node runs with: the image, `npm start`, `npm run cluster`, and the nodes tests and benches
 * start.
 * - A young generation of 2 × 64 MiB instead of Node 20's 2 × 16 MiB: in a reconnect storm the survivor collected
 *   it every ~170 ms (151 scavenges, 1.16 s of pauses in 25 s); with 64 MiB 30–31 scavenges and 0.41 s, for at most
 *   96 MiB more memory.
 * - No memory reducer: its collections compact the whole old generation to give memory back, and it started them in
 *   the middle of a storm (it judges by the allocation rate of a moment): 113 and 148 ms pauses of a survivor holding
 *   10,000 sockets, against 14–45 ms for V8's usual mark-compacts. Without it the heap still shrinks at each of those.
 * Figures in BENCHMARKS.md.
 */
export const NODE_FLAGS = ['--max-semi-space-size=64', '--no-memory-reducer'] as const;

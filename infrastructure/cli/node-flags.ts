/**
 * The V8 flags every api node runs with: the image, `npm start`, `npm run cluster`, and the nodes tests and benches
 * start. A young generation of 2 × 64 MiB instead of Node 20's 2 × 16 MiB: in a reconnect storm the survivor
 * collected it every ~170 ms (151 scavenges, 1.16 s of pauses in 25 s); with 64 MiB 30–31 scavenges and 0.41 s,
 * for at most 96 MiB more memory (BENCHMARKS.md).
 */
export const NODE_FLAGS = ['--max-semi-space-size=64'] as const;

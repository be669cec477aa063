import { randomUUID } from 'node:crypto';
import { createPairs, startTwoNodes, summarize } from './support.js';

/**
 * End-to-end messaging latency: senders POST to node 1, receivers listen on sockets connected to node 2
 * (one PostgreSQL, one Redis). Latency = from just before the POST to the receiver's `event`.
 */
export async function benchMessaging({ pairs = 200, rate = 1_000, seconds = 20, steps = [250, 500, 750, 1_000, 1_500, 2_000, 2_500], stepSeconds = 8 } = {}) {
  const cluster = await startTwoNodes();
  try {
    const [node1, node2] = cluster.nodes;
    const all = await createPairs(pairs, node1.url, node2.url);
    const sentAt = new Map<string, number>();
    const latencies = new Map<string, number>();
    for (const pair of all) {
      pair.socket.on('event', (event: any) => {
        if (event.type !== 'MessageSent') return;
        const started = sentAt.get(event.data.messageId);
        if (started !== undefined && !latencies.has(event.data.messageId)) latencies.set(event.data.messageId, performance.now() - started);
      });
    }

    async function run(ratePerSecond: number, durationSeconds: number) {
      sentAt.clear();
      latencies.clear();
      let failed = 0;
      const postLatencies: number[] = [];
      const failures: Record<string, number> = {};
      const total = ratePerSecond * durationSeconds;
      const inflight: Promise<void>[] = [];
      const start = performance.now();
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / ratePerSecond;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const pair = all[i % all.length];
        const id = randomUUID();
        const postStart = performance.now();
        sentAt.set(id, postStart);
        inflight.push(
          pair.sender.post(`/api/contacts/${pair.contactId}/messages`, { id, text: `bench ${i}` }).then(
            (res) => {
              postLatencies.push(performance.now() - postStart);
              if (res.status !== 201) {
                failed++;
                failures[res.status] = (failures[res.status] ?? 0) + 1;
              }
            },
            (error) => {
              failed++;
              failures[String(error?.cause?.code ?? error)] = (failures[String(error?.cause?.code ?? error)] ?? 0) + 1;
            },
          ),
        );
      }
      const sendSeconds = (performance.now() - start) / 1000;
      await Promise.all(inflight);
      const deadline = performance.now() + 5_000;
      while (latencies.size < total - failed && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const lost = total - failed - latencies.size;
      return { rate: ratePerSecond, seconds: durationSeconds, sent: total, achievedRate: Math.round(total / sendSeconds), failed, failures, lost, latencyMs: summarize([...latencies.values()]), postLatencyMs: summarize(postLatencies) };
    }

    await run(200, 3); // warm-up
    const fixed = await run(rate, seconds);
    const ladder = [];
    let sustained = 0;
    for (const stepRate of steps) {
      const result = await run(stepRate, stepSeconds);
      ladder.push(result);
      const ok = result.lost === 0 && result.failed === 0 && result.latencyMs.p99 < 100 && result.achievedRate >= stepRate * 0.97;
      if (!ok) break;
      sustained = stepRate;
    }
    for (const pair of all) pair.socket.disconnect();
    return { pairs, fixedRate: fixed, maxSustainedRate: sustained, ladder };
  } finally {
    await cluster.close();
  }
}

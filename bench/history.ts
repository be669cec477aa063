import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import pg from 'pg';
import { historyPageQuery } from '../projections/messages/messages.queries.js';
import { cpuMillisecondsBetween, cpuSnapshot } from './cpu-usage.js';
import { BENCH_LIMITS, inParallel, personClient, startTwoNodes, summarize } from './support.js';

/**
 * History pages under load: `readers` people each read the newest page (`limit` messages) of a conversation
 * holding `messages` messages, back to back for `seconds`, while `rate` messages a second are sent into those
 * same conversations. Writes go to node 1, reads to node 2 (which also runs the projections). The sends start
 * `writesOnlySeconds` before the readers: what node 2 and PostgreSQL spend per message sent then is taken
 * off what they spend while the readers read, leaving the CPU of the pages themselves (on a shared, busy
 * machine, where few pages are read, the sends' share would otherwise hide them).
 *
 * By default each reader asks again as soon as its page arrived (what the machine can serve: latency is then
 * mostly queueing, readers / pages per second). With `pageRate`, the readers together ask that many pages a
 * second on a fixed schedule, each timed from its scheduled moment (a late answer delays the next ask, and
 * counts against it): the latency people reading at that rate see.
 */
export async function benchHistory({
  readers = 20,
  messages = 300,
  limit = 100,
  rate = 200,
  seconds = 15,
  writesOnlySeconds = 5,
  pageRate = 0,
} = {}) {
  const cluster = await startTwoNodes(BENCH_LIMITS, { PROJECTIONS: 'off' });
  try {
    const [node1, node2] = cluster.nodes;
    const pairs = await inParallel(readers, 10, async (i) => {
      const reader = await personClient(node1.url, 2 * i).signUp('reader');
      const writer = await personClient(node1.url, 2 * i + 1).signUp('writer');
      return { reader, writer, contactId: await writer.addContact(reader) };
    });
    const writes = new Pool(node1.url, { connections: readers });
    const send = async (pair: (typeof pairs)[number], text: string) => {
      const res = await writes.request({
        method: 'POST',
        path: `/api/contacts/${pair.contactId}/messages`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${pair.writer.token}` },
        body: JSON.stringify({ id: randomUUID(), text }),
      });
      await res.body.dump();
      return res.statusCode;
    };
    // Seeded messages of a typical length.
    await inParallel(readers * messages, readers, (n) => send(pairs[n % readers], `seeded message ${n}: ${'lorem ipsum '.repeat(4)}`));

    const reads = new Pool(node2.url, { connections: readers });
    const readPage = (pair: (typeof pairs)[number]) =>
      reads.request({
        method: 'GET',
        path: `/api/contacts/${pair.contactId}/messages?limit=${limit}`,
        // As a browser asks (Chromium's header): the page comes compressed, as the node keeps it.
        headers: { authorization: `Bearer ${pair.reader.token}`, 'accept-encoding': 'gzip, deflate, br, zstd' },
      });
    const cpuParts = { node1: node1.child.pid!, node2: node2.child.pid! };
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let bytes = 0;
    let unchangedPages = 0;
    let stop = false;
    let sent = 0;
    let sendFailures = 0;
    const database = new URL(cluster.db.url).pathname.slice(1);
    const cpuBefore = cpuSnapshot(cpuParts, { database });
    const writesStart = performance.now();
    const writing = (async () => {
      const inflight: Promise<void>[] = [];
      for (let i = 0; !stop && rate > 0; i++) {
        const wait = writesStart + (i * 1000) / rate - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        if (stop) break;
        sent++;
        inflight.push(
          send(pairs[i % readers], `live message ${i}`).then(
            (status) => void (status !== 201 && sendFailures++),
            () => void sendFailures++,
          ),
        );
      }
      await Promise.all(inflight);
    })();
    // Warm-up, not timed: each reader's first page (its connection, the statements' first plans, the route's
    // first runs), twice over, as a node that has been serving for a while has done already.
    for (let round = 0; round < 2; round++)
      await Promise.all(
        pairs.map(async (pair) => {
          await (await readPage(pair)).body.dump();
        }),
      );
    if (rate > 0) await new Promise((r) => setTimeout(r, writesOnlySeconds * 1000));
    const sentWritesOnly = sent;
    const cpuReadsStart = cpuSnapshot(cpuParts, { database });
    const start = performance.now();
    const interval = pageRate > 0 ? (readers * 1000) / pageRate : 0;
    await Promise.all(
      pairs.map(async (pair, index) => {
        let lastTag: unknown;
        let scheduled = start + (index * interval) / readers;
        while (performance.now() - start < seconds * 1000) {
          if (interval > 0) {
            const wait = scheduled - performance.now();
            if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          }
          const t0 = interval > 0 ? scheduled : performance.now();
          scheduled += interval;
          const res = await readPage(pair);
          const body = await res.body.arrayBuffer();
          // The same tag as this reader's last page: nothing changed in between, a page a node may have kept.
          if (res.headers.etag !== undefined && res.headers.etag === lastTag) unchangedPages++;
          lastTag = res.headers.etag;
          latencies.push(performance.now() - t0);
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          bytes += body.byteLength;
        }
      }),
    );
    stop = true;
    await writing;
    const elapsed = (performance.now() - start) / 1000;
    const cpuMs = cpuMillisecondsBetween(cpuReadsStart, cpuSnapshot(cpuParts, { database }));
    const writesOnlyMs = cpuMillisecondsBetween(cpuBefore, cpuReadsStart);
    const sendsMeanwhile = sent - sentWritesOnly;
    /** CPU microseconds per page of `part`, less what the sends made meanwhile cost it (as measured alone). */
    const perPage = (part: string) =>
      Math.round(
        ((cpuMs[part] - (sentWritesOnly > 0 ? (writesOnlyMs[part] / sentWritesOnly) * sendsMeanwhile : 0)) * 1000) /
          Math.max(1, latencies.length),
      );
    const plan = await explainPage(cluster.db.url, pairs[0].contactId, limit);
    console.error(plan.join('\n'));
    await Promise.all([reads.close(), writes.close()]);
    return {
      readers,
      pageRate: pageRate > 0 ? pageRate : 'back to back',
      limit,
      messagesPerConversation: messages,
      sendRate: Math.round(sendsMeanwhile / elapsed),
      sendFailures,
      pages: latencies.length,
      pagesPerSecond: Math.round(latencies.length / elapsed),
      unchangedPages,
      statuses,
      pageMs: summarize(latencies),
      plan: plan
        .filter((line) => /Index|Execution Time|Buffers: shared/.test(line))
        .slice(0, 6)
        .map((line) => line.trim()),
      bytesPerPage: Math.round(bytes / Math.max(1, latencies.length)),
      cpuMillisecondsPerSecond: Object.fromEntries(Object.entries(cpuMs).map(([k, ms]) => [k, Math.round(ms / elapsed)])),
      readNodeCpuMicrosecondsPerPage: Math.round((cpuMs.node2 * 1000) / Math.max(1, latencies.length)),
      // Net of the sends (see above); PostgreSQL: this database's backends only (the server is shared).
      sendsAloneCpuMicrosecondsPerMessage: {
        node2: Math.round((writesOnlyMs.node2 * 1000) / Math.max(1, sentWritesOnly)),
        postgres: Math.round((writesOnlyMs.postgresDatabase * 1000) / Math.max(1, sentWritesOnly)),
      },
      pageCpuMicroseconds: { readNode: perPage('node2'), postgres: perPage('postgresDatabase') },
    };
  } finally {
    await cluster.close();
  }
}

/** The page statement's plan on the seeded database (`EXPLAIN (ANALYZE, BUFFERS)`, after the reads: hint bits set). */
async function explainPage(url: string, contactId: string, limit: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ANALYZE messages'); // as autovacuum would have by now on a live table
    const query = historyPageQuery(contactId, { limit });
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${query.text}`, query.values);
    return rows.map((r) => r['QUERY PLAN']);
  } finally {
    await client.end();
  }
}

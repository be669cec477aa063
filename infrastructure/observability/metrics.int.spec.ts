import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually } from '../../test/support/api-client.js';
import { startTestServer, type TestServer } from '../../test/support/test-server.js';

/** The value of one sample in Prometheus text, e.g. sample(text, 'derbel_projection_lag{projection="feed"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let node: TestServer;
  let alice: ApiClient;
  let bob: ApiClient;
  let contactId: string;
  const scrape = async () => {
    const response = await fetch(`${node.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  beforeAll(async () => {
    node = await startTestServer();
    alice = await new ApiClient(node.url).signUp('alice');
    bob = await new ApiClient(node.url).signUp('bob');
    contactId = await alice.addContact(bob);
  });
  afterAll(async () => {
    await node?.close();
  });

  it('times requests by route pattern and status, never by raw URL', async () => {
    expect((await alice.post(`/api/contacts/${contactId}/messages`, { text: 'hello' })).status).toBe(201);
    const text = await scrape();
    const series = 'derbel_http_request_duration_seconds_count{method="POST",route="/api/contacts/:contactId/messages",status_code="201"}';
    expect(sample(text, series)).toBe(1);
    expect(text).not.toContain(contactId);
    expect(sample(text, 'derbel_http_request_duration_seconds_count{method="POST",route="/api/accounts",status_code="201"}')).toBe(2);
  });

  it('counts appended events by type', async () => {
    const before = sample(await scrape(), 'derbel_events_appended_total{type="MessageSent"}') ?? 0;
    await alice.post(`/api/contacts/${contactId}/messages`, { text: 'one' });
    await alice.post(`/api/contacts/${contactId}/messages`, { text: 'two' });
    const text = await scrape();
    expect(sample(text, 'derbel_events_appended_total{type="MessageSent"}')).toBe(before + 2);
    expect(sample(text, 'derbel_events_appended_total{type="AccountRegistered"}')).toBe(2);
  });

  it('reports connected sockets, and what handshake admission decided at which rate', async () => {
    const before = sample(await scrape(), 'derbel_socket_handshakes_decided{outcome="admitted"}') ?? NaN;
    const socket = await connected(bob.connect());
    const text = await scrape();
    expect(sample(text, 'derbel_connected_sockets')).toBe(1);
    expect(sample(text, 'derbel_socket_handshakes_decided{outcome="admitted"}')).toBe(before + 1);
    expect(sample(text, 'derbel_socket_handshakes_decided{outcome="refused"}')).toBe(0);
    expect(sample(text, 'derbel_socket_handshake_admission_rate')).toBeGreaterThan(0);
    // Between the busy and the idle rate (200–400 by default; this process runs the tests too, so how busy it
    // is varies), and its one socket told to spread over 1/offer s.
    expect(sample(text, 'derbel_reconnect_offer_per_second')).toBeGreaterThanOrEqual(200);
    expect(sample(text, 'derbel_reconnect_offer_per_second')).toBeLessThanOrEqual(400);
    expect(sample(text, 'derbel_event_loop_utilization_smoothed')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'derbel_event_loop_utilization_smoothed')).toBeLessThanOrEqual(1);
    expect(sample(text, 'derbel_reconnect_spread_seconds')).toBeGreaterThan(0);
    expect(sample(text, 'derbel_reconnect_spread_seconds')).toBeLessThanOrEqual(0.005);
    socket.disconnect();
    await eventually(async () => sample(await scrape(), 'derbel_connected_sockets') === 0, patiently);
  });

  // Generous waits: the PostgreSQL store only shows events older than the oldest write transaction of the
  // whole server, and other test files create databases (a write transaction) all the time.
  const patiently = { timeoutMs: 20_000 };

  it('reports per projection: head minus checkpoint, and whether this node leads it', async () => {
    const { position } = (await alice.post(`/api/contacts/${contactId}/messages`, { text: 'latest' })).body;
    const text = await eventually(async () => {
      const scraped = await scrape();
      const caughtUp = node.server.runners
        .flatMap((r) => r.projections)
        .every((p) => sample(scraped, `derbel_projection_lag{projection="${p.name}"}`) === 0);
      return caughtUp && sample(scraped, 'derbel_event_log_head_position') === position ? scraped : '';
    }, patiently);
    for (const name of node.server.runners.flatMap((r) => r.projections.map((p) => p.name))) {
      expect(sample(text, `derbel_projection_checkpoint{projection="${name}"}`)).toBe(position);
      expect(sample(text, `derbel_projection_leader{projection="${name}"}`)).toBe(1);
    }
    const head = position as number;

    // With the projections stopped, new events show up as lag.
    await Promise.all(node.server.runners.map((r) => r.stop()));
    await alice.post(`/api/contacts/${contactId}/messages`, { text: 'while nobody projects' });
    await alice.post(`/api/contacts/${contactId}/messages`, { text: 'still nobody' });
    const stalled = await eventually(async () => {
      const text = await scrape();
      return sample(text, 'derbel_event_log_head_position') === head + 2 ? text : '';
    }, patiently);
    expect(sample(stalled, 'derbel_projection_lag{projection="messages"}')).toBe(2);
    expect(sample(stalled, 'derbel_projection_leader{projection="messages"}')).toBe(0);

    for (const runner of node.server.runners) runner.start();
    await eventually(async () => sample(await scrape(), 'derbel_projection_lag{projection="messages"}') === 0, patiently);
  });
});

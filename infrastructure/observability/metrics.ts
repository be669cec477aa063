import { readdir } from 'node:fs/promises';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LAG_SAMPLING_MS = 100;
const PREFIX = 'derbel_';
/**
 * Default metrics whose every scrape walks all the node's handles or descriptors on the event loop: with
 * 20,000 sockets a scrape stalled the node ~35 ms (BENCHMARKS.md). Sockets are counted apart
 * (`derbel_connected_sockets`), and open descriptors are read off the loop instead.
 */
const PER_HANDLE_METRICS = [
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  'process_open_fds',
];

/**
 * The node's Prometheus metrics, in a registry of its own (several servers may share a test process).
 * Gauges that describe state elsewhere (sockets, projections) are read when scraped, through `watch…`.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'derbel_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly eventsAppended = new Counter({
    name: 'derbel_events_appended_total',
    help: 'Events appended to the event store by this node, by event type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly redisFallbacks = new Counter({
    name: 'derbel_redis_fallbacks_total',
    help: 'Redis calls on a request path that did not answer in time, so the request went on without them (presence shown offline)',
    labelNames: ['call'] as const,
    registers: [this.registry],
  });

  readonly socketHandshakeSteps = new Histogram({
    name: 'derbel_socket_handshake_step_seconds',
    help: 'Time each step of a socket connect took on this node (token, session, presence)',
    labelNames: ['step'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  private socketCount: () => number = () => 0;
  private projectionState: () => Promise<ProjectionsSnapshot> = async () => ({ head: 0, projections: [] });
  private inFlight: Promise<ProjectionsSnapshot | null> | null = null;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    // prom-client calls collect() with the gauge as `this`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    this.readGauge('derbel_connected_sockets', 'Socket.io connections open on this node', () => metrics.socketCount());
    const projectionGauge = (name: string, help: string, value: (snapshot: ProjectionsSnapshot, p: ProjectedState) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['projection'] as const,
        registers: [this.registry],
        async collect() {
          const snapshot = await metrics.currentSnapshot();
          for (const projection of snapshot?.projections ?? []) this.set({ projection: projection.name }, value(snapshot!, projection));
        },
      });
    projectionGauge(
      'derbel_projection_lag',
      'Head position of the event log minus the projection checkpoint (PostgreSQL: events; KurrentDB: log bytes)',
      (snapshot, p) => Math.max(0, snapshot.head - p.checkpoint),
    );
    projectionGauge('derbel_projection_checkpoint', 'Position the projection has applied up to', (_, p) => p.checkpoint);
    projectionGauge('derbel_projection_leader', '1 when this node runs the projection, 0 when it stands by', (_, p) => (p.leading ? 1 : 0));
    projectionGauge(
      'derbel_projection_parked_events',
      'Events the projection skipped because it cannot apply them (listed by `derbel projections parked`)',
      (_, p) => p.parked,
    );
    new Gauge({
      name: 'derbel_event_log_head_position',
      help: 'Position of the newest event in the log',
      registers: [this.registry],
      async collect() {
        const snapshot = await metrics.currentSnapshot();
        if (snapshot) this.set(snapshot.head);
      },
    });
    // The event-loop lag histogram samples with a timer: at its default 10 ms that timer alone woke an idle
    // node 100 times a second (~1 % of a core on a virtual machine where a wake-up is dear). Its figures
    // include the interval: ~0.1 s at rest.
    if (options.defaultMetrics) {
      collectDefaultMetrics({ register: this.registry, prefix: PREFIX, eventLoopMonitoringPrecision: LAG_SAMPLING_MS });
      for (const name of PER_HANDLE_METRICS) this.registry.removeSingleMetric(PREFIX + name);
      if (process.platform === 'linux')
        new Gauge({
          name: `${PREFIX}process_open_fds`,
          help: 'Number of open file descriptors (read off the event loop)',
          registers: [this.registry],
          async collect() {
            this.set((await readdir('/proc/self/fd')).length);
          },
        });
    }
  }

  watchSockets(count: () => number) {
    this.socketCount = count;
  }

  /** Socket handshake admission (realtime/handshake-admission.ts): its current rate and what it decided so far. */
  watchHandshakeAdmission(state: () => { perSecond: number; admitted: number; refused: number }) {
    this.readGauge(
      'derbel_socket_handshake_admission_rate',
      'Socket handshakes a second this node takes now (lower while it is busy)',
      () => state().perSecond,
    );
    new Gauge({
      name: 'derbel_socket_handshakes_decided',
      help: 'Socket handshakes this node admitted, or refused with a slot to come back at, since it started',
      labelNames: ['outcome'] as const,
      registers: [this.registry],
      collect() {
        const { admitted, refused } = state();
        this.set({ outcome: 'admitted' }, admitted);
        this.set({ outcome: 'refused' }, refused);
      },
    });
  }

  /** What the node offers to take should another die (realtime/reconnect-capacity.ts), and what its clients were told. */
  watchReconnectOffer(offer: () => { perSecond: number; utilization: number; spreadMs: number }) {
    this.readGauge(
      'derbel_reconnect_offer_per_second',
      'Reconnects a second this node offers to take should another node die (fewer the busier it is)',
      () => offer().perSecond,
    );
    this.readGauge(
      'derbel_event_loop_utilization_smoothed',
      'How busy this node keeps its event loop, smoothed over ~20 s (0-1): what its reconnect offer follows',
      () => offer().utilization,
    );
    this.readGauge(
      'derbel_reconnect_spread_seconds',
      'The window this node asked its clients to spread their return over, should it go away',
      () => offer().spreadMs / 1000,
    );
  }

  /** Only with Redis: a node without it has no such gauge. */
  watchRedis(up: () => boolean) {
    this.readGauge('derbel_redis_up', '1 while Redis answers this node in time, 0 while it does not', () => (up() ? 1 : 0));
  }

  /** A gauge whose value is read, synchronously, when it is scraped. */
  private readGauge(name: string, help: string, read: () => number) {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  watchProjections(read: () => Promise<ProjectionsSnapshot>) {
    this.projectionState = read;
  }

  /**
   * One read per scrape: a scrape collects all gauges concurrently, so they share the read in flight.
   * Null when the database is unreachable: the gauges keep their last values rather than failing the scrape.
   */
  private currentSnapshot(): Promise<ProjectionsSnapshot | null> {
    this.inFlight ??= this.projectionState()
      .catch(() => null)
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** The exposition text and its content type, for `GET /metrics`. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

export interface ProjectedState {
  name: string;
  checkpoint: number;
  leading: boolean;
  /** Events parked for it (the same on every node). */
  parked: number;
}

export interface ProjectionsSnapshot {
  /** Position of the newest event in the log. */
  head: number;
  projections: ProjectedState[];
}

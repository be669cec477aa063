/**
 * Every PostgreSQL advisory lock this product takes, in one place: two locks with the same keys would
 * silently exclude each other. Two-key locks are `(namespace, key)`; per-projection locks use
 * `(namespace, hashtext(projection name))`.
 */
export const ADVISORY_LOCKS = {
  /** `(7355600, 1)`: one node at a time runs the migrations. */
  migrations: [7355600, 1],
  /**
   * `(7355600, 8)`: appends take their positions and transaction ids under it (also taken inside the
   * SQL functions of migrations 001 and 004, which cannot import this module).
   */
  appendPositions: [7355600, 8],
  /** `(7355700, hashtext(name))`: the live projection runner that leads a projection. */
  projectionRunner: 7355700,
  /** `(7355710, …)`: the meeting sweeper's leader. Not the runner's namespace: readiness counts those. */
  meetingSweeper: 7355710,
  /** `(7355800, hashtext(name))`: a rebuild of a projection in progress. */
  projectionRebuild: 7355800,
  /** `(7355900, hashtext(user id))`: one upload of a user at a time checks and takes their quota. */
  attachmentQuota: 7355900,
} as const;

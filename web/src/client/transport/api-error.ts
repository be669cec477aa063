/** An error answered by the API (`{ statusCode, code, message }`) or a failure to reach it at all. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The server could not be reached (offline, DNS, connection refused, CORS). */
  get isNetworkError(): boolean {
    return this.code === 'NETWORK_ERROR';
  }

  /** Worth trying again later with the same request. */
  get isRetryable(): boolean {
    return this.isNetworkError || this.statusCode >= 500 || this.statusCode === 429;
  }
}

export const networkError = (cause: unknown) =>
  new ApiError(0, 'NETWORK_ERROR', `The server is unreachable${cause instanceof Error ? ` (${cause.message})` : ''}`);

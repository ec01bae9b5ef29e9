/** PostgreSQL errors the store turns into contract errors, or into another try of a unit of work. */

const sqlState = (error: unknown): unknown => (error instanceof Error ? (error as { code?: unknown }).code : undefined);

/** SQLSTATE 23505: a unique index rejected a write. */
export function isUniqueViolation(error: unknown): error is Error & { constraint?: string } {
  return sqlState(error) === "23505";
}

/** SQLSTATE 55P03: a lock asked for with NOWAIT (or under `lock_timeout`) was held by another. */
export const isLockNotAvailable = (error: unknown): boolean => sqlState(error) === "55P03";

/** SQLSTATE 40P01: the server rolled this transaction back to break a deadlock. */
export const isDeadlock = (error: unknown): boolean => sqlState(error) === "40P01";

/**
 * The database could not be reached or the connection was lost: refused, reset, timed out, the
 * server shutting down or restarting (SQLSTATE 57P01–57P03), too many connections (53300), or a
 * connection exception (class 08). Core answers these 503 with Retry-After.
 */
export function isConnectionFailure(error: unknown): boolean {
  const code = sqlState(error);
  if (
    typeof code === "string" &&
    (/^08/.test(code) ||
      [
        "57P01",
        "57P02",
        "57P03",
        "53300",
        "ECONNREFUSED",
        "ECONNRESET",
        "ETIMEDOUT",
        "EPIPE",
        "ENOTFOUND",
        "EHOSTUNREACH",
      ].includes(code))
  )
    return true;
  return (
    error instanceof Error &&
    /connection terminated|connection (?:is )?closed|client has encountered a connection error|terminating connection/i.test(
      error.message,
    )
  );
}

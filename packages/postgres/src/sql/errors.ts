/** PostgreSQL errors the store turns into contract errors. */

/** SQLSTATE 23505: a unique index rejected a write. */
export function isUniqueViolation(error: unknown): error is Error & { constraint?: string } {
  return error instanceof Error && (error as { code?: unknown }).code === "23505";
}

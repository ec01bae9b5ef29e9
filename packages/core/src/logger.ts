/** Where internals go. Never receives secrets, Authorization headers or request bodies. */
export interface ScimLogger {
  error(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
}

/**
 * Where internals go. Never receives secrets, Authorization headers or request bodies.
 *
 * Two shapes are accepted: scimkit's own (`error(message, details)`, console-like), and a
 * pino-style logger (`error(details, message)`, told apart by its `child` and `levels`), so a host
 * hands in the logger it already has.
 */
export interface ScimLogger {
  error(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
}

/** A pino-style logger: the object first, the message second. */
export interface PinoStyleLogger {
  error(details: Record<string, unknown>, message?: string): void;
  warn?(details: Record<string, unknown>, message?: string): void;
  child(bindings: Record<string, unknown>): unknown;
  readonly levels: unknown;
}

const isPinoStyle = (logger: ScimLogger | PinoStyleLogger): logger is PinoStyleLogger =>
  "levels" in logger && typeof (logger as PinoStyleLogger).child === "function";

/** The logger in scimkit's own shape, whichever shape it was given in. */
export function toScimLogger(logger: ScimLogger | PinoStyleLogger): ScimLogger {
  if (!isPinoStyle(logger)) return logger;
  const warn = logger.warn?.bind(logger);
  return {
    error: (message, details = {}) => logger.error(details, message),
    ...(warn ? { warn: (message: string, details: Record<string, unknown> = {}) => warn(details, message) } : {}),
  };
}

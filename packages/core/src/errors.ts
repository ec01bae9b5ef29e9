/**
 * Errors are data: one {@link ScimError} renders the RFC 7644 §3.12 error body. Anything else thrown
 * while serving a request is normalised here, and only whitelisted details reach the client.
 */
import { URN } from "./schema/urns.js";

/** RFC 7644 §3.12 `scimType` values, and RFC 9865's for cursor paging. */
export type ScimType =
  | "invalidCursor"
  | "expiredCursor"
  | "invalidCount"
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

export class ScimError extends Error {
  override readonly name = "ScimError";
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType | undefined,
    /** Extra response headers, e.g. `WWW-Authenticate` on 401. */
    readonly headers?: Readonly<Record<string, string>> | undefined,
  ) {
    super(detail);
  }

  toJSON(): { schemas: string[]; status: string; scimType?: ScimType; detail: string } {
    return {
      schemas: [URN.Error],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

/**
 * A mistake in the host's own calls: a configuration refused at start-up, or an admin or read call
 * that cannot be done. `code` tells them apart without matching messages, so a host's admin API
 * maps them to HTTP: `invalid` → 400, `notFound` → 404, `conflict` → 409.
 */
export class ScimConfigError extends Error {
  override readonly name = "ScimConfigError";
  constructor(
    message: string,
    readonly code: "invalid" | "notFound" | "conflict" = "invalid",
  ) {
    super(message);
  }
}

export const badRequest = (scimType: ScimType, detail: string) => new ScimError(400, detail, scimType);
export const notFound = (detail: string) => new ScimError(404, detail);

/** True for a ScimError from any copy of this package (checks `name`, not only `instanceof`). */
export function isScimError(e: unknown): e is ScimError {
  return (
    e instanceof ScimError ||
    (e instanceof Error && e.name === "ScimError" && typeof (e as ScimError).status === "number")
  );
}

/**
 * Anything thrown that is not a ScimError becomes a 500 with a generic detail: internals (and
 * anything secret they might hold) go to the host's logger, never to the client.
 */
export function toScimError(error: unknown): ScimError {
  if (isScimError(error)) return error;
  // A store that cannot reach its database says so: the request wrote nothing and may be retried.
  if (error instanceof Error && error.name === "StoreUnavailableError")
    return unavailable("The service provider's storage is unavailable; retry later");
  return new ScimError(500, "The service provider could not complete the request");
}

/** 503 with `Retry-After`, which Okta and Entra honour: nothing was written, the request may be sent again. */
export const unavailable = (detail: string, retryAfterSeconds = 5) =>
  new ScimError(503, detail, undefined, { "retry-after": String(retryAfterSeconds) });

/** Replies: always `application/scim+json`, errors rendered from {@link ScimError}. */
import { ScimError, isScimError } from "../errors.js";
import type { ScimReply } from "./exchange.js";

export const SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8";

export function scimJson(status: number, body: unknown, headers: Record<string, string> = {}): ScimReply {
  return { status, headers: { "content-type": SCIM_CONTENT_TYPE, ...headers }, body: JSON.stringify(body) };
}

export function noContent(headers: Record<string, string> = {}, status = 204): ScimReply {
  return { status, headers, body: null };
}

export function errorReply(error: ScimError): ScimReply {
  return scimJson(error.status, error.toJSON(), { ...error.headers });
}

/**
 * Anything thrown that is not a ScimError becomes a 500 with a generic detail: internals (and
 * anything secret they might hold) go to the host's logger, never to the client.
 */
export function toScimError(error: unknown): ScimError {
  if (isScimError(error)) return error;
  return new ScimError(500, "The service provider could not complete the request");
}

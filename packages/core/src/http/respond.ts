/** Replies: always `application/scim+json`, errors rendered from {@link ScimError}. */
import type { ScimError } from "../errors.js";

export { toScimError } from "../errors.js";
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


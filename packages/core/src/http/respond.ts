/** Replies: always `application/scim+json`, errors rendered from {@link ScimError}. */
import type { ScimError } from "../errors.js";

export { toScimError } from "../errors.js";
import type { ScimReply } from "./exchange.js";

/** RFC 7644 §8.1 registers `application/scim+json` with no parameters: JSON is UTF-8 by definition. */
export const SCIM_CONTENT_TYPE = "application/scim+json";

export function scimJson(status: number, body: unknown, headers: Record<string, string> = {}): ScimReply {
  return { status, headers: Object.assign({ "content-type": SCIM_CONTENT_TYPE }, headers), body: JSON.stringify(body) };
}

export function noContent(headers: Record<string, string> = {}, status = 204): ScimReply {
  return { status, headers, body: null };
}

export function errorReply(error: ScimError): ScimReply {
  return scimJson(error.status, error.toJSON(), { ...error.headers });
}

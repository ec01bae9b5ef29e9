/**
 * Reading request bodies: JSON in either `application/json` or `application/scim+json` (any charset,
 * tolerance 23), a size cap enforced while reading (413), 415 for other media types, 400
 * `invalidSyntax` for malformed JSON.
 */
import { ScimError, badRequest } from "../errors.js";
import type { ScimRequest } from "./exchange.js";

const jsonTypes = new Set(["application/json", "application/scim+json"]);

/** Parses the JSON body of a POST, PUT or PATCH. */
export async function readJsonBody(request: ScimRequest, maxBytes: number): Promise<unknown> {
  const contentType = request.header("content-type");
  if (contentType !== null && contentType.trim() !== "") {
    const media = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
    if (!jsonTypes.has(media)) {
      throw new ScimError(415, `Unsupported media type "${media}"; send application/scim+json or application/json`);
    }
  }
  const text = await request.text(maxBytes);
  if (text.trim() === "") throw badRequest("invalidSyntax", "The request body is empty");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("invalidSyntax", "The request body is not valid JSON");
  }
}

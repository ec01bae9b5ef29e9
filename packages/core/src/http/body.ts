/**
 * Reading request bodies: JSON in either `application/json` or `application/scim+json` (any charset,
 * tolerance 23), a size cap enforced while reading (413), 415 for other media types, 400
 * `invalidSyntax` for malformed JSON.
 */
import { ScimError, badRequest } from "../errors.js";

const jsonTypes = new Set(["application/json", "application/scim+json"]);

async function readCapped(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

const tooLarge = (maxBytes: number) => new ScimError(413, `The request body exceeds the limit of ${maxBytes} bytes`);

/** Parses the JSON body of a POST, PUT or PATCH. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const contentType = request.headers.get("content-type");
  if (contentType !== null && contentType.trim() !== "") {
    const media = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
    if (!jsonTypes.has(media)) {
      throw new ScimError(415, `Unsupported media type "${media}"; send application/scim+json or application/json`);
    }
  }
  const text = await readCapped(request, maxBytes);
  if (text.trim() === "") throw badRequest("invalidSyntax", "The request body is empty");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("invalidSyntax", "The request body is not valid JSON");
  }
}

/**
 * What the engine reads of a request and what it answers, as plain data. A Web `Request` becomes
 * one through {@link fromWebRequest} and the answer a `Response` through {@link toWebResponse}; the
 * Node bridge builds the same shapes straight from `node:http`, so a request served in Express or
 * Koa never pays for constructing Fetch objects it would only take apart again (about a fifth of a
 * GET's CPU, measured).
 */
import { ScimError } from "../errors.js";

export interface ScimRequest {
  /** Upper-case method. */
  readonly method: string;
  /** The absolute URL the client asked for. */
  readonly url: string;
  /** A header's value (repeated fields joined by `, `), or null. Names are case-insensitive. */
  header(name: string): string | null;
  /** The body as UTF-8 text; rejects with a 413 {@link ScimError} past `maxBytes`. Read once. */
  text(maxBytes: number): Promise<string>;
  /** The request as a Web `Request`, body included (up to `maxBytes`), for host hooks that take one. */
  webRequest(maxBytes: number): Promise<Request>;
}

export interface ScimReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text, or null for 204 and 304. */
  readonly body: string | null;
}

/**
 * The 413 answered when a body exceeds the cap. From a Node socket it closes the connection, so the
 * unread rest of the upload is dropped with the socket instead of being read to its end; a Web
 * runtime manages its own connections.
 */
export const bodyTooLarge = (maxBytes: number, closeConnection = false): ScimError =>
  new ScimError(
    413,
    `The request body exceeds the limit of ${maxBytes} bytes`,
    undefined,
    closeConnection ? { connection: "close" } : {},
  );

async function readCapped(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw bodyTooLarge(maxBytes);
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
      throw bodyTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function fromWebRequest(request: Request): ScimRequest {
  return {
    method: request.method.toUpperCase(),
    url: request.url,
    header: (name) => request.headers.get(name),
    text: (maxBytes) => readCapped(request, maxBytes),
    webRequest: async () => request,
  };
}

export function toWebResponse(reply: ScimReply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

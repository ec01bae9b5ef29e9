/**
 * Node `IncomingMessage` → Web `Request`, for frameworks built on `node:http` (Express, Koa, plain
 * servers). The engine only ever sees the Web request.
 */
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { ScimError, isScimError } from "../errors.js";
import { DEFAULT_MAX_BODY_BYTES, readBodyStream, serialiseParsedBody, streamConsumed } from "./request-body.js";
import { requestUrl, type RequestUrlOptions } from "./request-url.js";

/** A Node request as frameworks extend it: Express adds `originalUrl`; body parsers add `body`. */
export type NodeRequest = IncomingMessage & { originalUrl?: string | undefined; body?: unknown };

export interface ToWebRequestOptions extends RequestUrlOptions {
  /**
   * Largest request body accepted, in bytes; a larger one fails with a 413 {@link ScimError}. A
   * scimkit server mounted through the bridge also enforces its own `maxBodyBytes`; without this
   * option only the server's applies.
   * @default 1048576 (1 MiB) for other fetch targets; none of its own for a scimkit server
   */
  readonly maxBodyBytes?: number | undefined;
  /**
   * A body a host middleware already parsed. Used only when that middleware consumed the stream;
   * otherwise the stream is read (e.g. `express.json()` leaves `application/scim+json` unread).
   * @default req.body
   */
  readonly parsedBody?: unknown;
  /** Aborts the Web request, e.g. {@link disconnectSignal}. @default aborted when the connection closes */
  readonly signal?: AbortSignal | undefined;
}

// Headers that describe the bytes on the wire, not the body the Request carries.
const framingHeaders = new Set(["content-length", "transfer-encoding"]);

function copyHeaders(req: IncomingMessage, reparsed: boolean): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? "";
    const lower = name.toLowerCase();
    // HTTP/2 pseudo-headers are not header fields; `Host` already went into the URL and stays too.
    if (lower.startsWith(":") || framingHeaders.has(lower)) continue;
    // A parser inflated the body it parsed, so its old encoding no longer applies.
    if (reparsed && lower === "content-encoding") continue;
    try {
      headers.append(name, raw[i + 1] ?? "");
    } catch {
      // Node accepted a value the Fetch spec rejects; the engine never needs such a header.
    }
  }
  return headers;
}

// One listener per socket aborts whichever request it currently carries: HTTP/1.1 serves a
// connection's requests one after another, and a listener per request would pile up on keep-alive.
const inFlight = new WeakMap<Socket, AbortController>();

/** Without a response to watch, the socket closing is the only sign the client left. */
function socketSignal(req: IncomingMessage): AbortSignal {
  const controller = new AbortController();
  const socket = req.socket as Socket | null;
  if (!socket || socket.destroyed) {
    controller.abort();
    return controller.signal;
  }
  if (!inFlight.has(socket)) socket.once("close", () => inFlight.get(socket)?.abort());
  inFlight.set(socket, controller);
  return controller.signal;
}

/**
 * Converts a Node request into a Web `Request` with the URL the client used, its headers, its body
 * (read here for any content type, or re-serialised from a body a middleware parsed), and an abort
 * signal. Never writes to the Node request (Express 5 made `req.query` a getter).
 *
 * Rejects with a {@link ScimError}: 413 for a body over `maxBodyBytes` (without reading the rest),
 * 400 for a malformed Host or a body that could not be read.
 *
 * @example
 * ```ts
 * http.createServer(async (req, res) => {
 *   const request = await toWebRequest(req, { signal: disconnectSignal(res) });
 *   await writeWebResponse(res, await server.fetch(request));
 * });
 * ```
 */
export async function toWebRequest(req: NodeRequest, options: ToWebRequestOptions = {}): Promise<Request> {
  const url = requestUrl(req, options);
  const method = (req.method ?? "GET").toUpperCase();
  const body = await readNodeBody(req, method, options, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  return buildWebRequest(req, url, method, body, options.signal ?? socketSignal(req));
}

/** A request body as the bridge reads it; `reparsed` when it came from a middleware's parse. */
export interface NodeBody {
  readonly bytes: Uint8Array | null;
  readonly reparsed: boolean;
}

/** Reads the body of a Node request (none for GET and HEAD) up to `maxBytes`, or takes the parsed one. */
export async function readNodeBody(
  req: NodeRequest,
  method: string,
  options: { readonly parsedBody?: unknown },
  maxBytes: number,
): Promise<NodeBody> {
  if (method === "GET" || method === "HEAD") return { bytes: null, reparsed: false };
  if (!streamConsumed(req)) return { bytes: await readBodyStream(req, maxBytes), reparsed: false };
  return {
    bytes: serialiseParsedBody("parsedBody" in options ? options.parsedBody : req.body, maxBytes),
    reparsed: true,
  };
}

/** The Web `Request` for a Node request whose body has been read. */
export function buildWebRequest(
  req: NodeRequest,
  url: URL,
  method: string,
  body: NodeBody,
  signal: AbortSignal,
): Request {
  const headers = copyHeaders(req, body.reparsed);
  const bytes = body.bytes;
  if (bytes !== null) headers.set("content-length", String(bytes.byteLength));
  try {
    return new Request(url, {
      method,
      headers,
      body: bytes === null || bytes.byteLength === 0 ? null : (bytes as Uint8Array<ArrayBuffer>),
      signal,
    });
  } catch (error) {
    if (isScimError(error)) throw error;
    // Fetch refuses some methods (CONNECT, TRACE) and malformed names outright.
    throw new ScimError(400, "The request could not be read");
  }
}

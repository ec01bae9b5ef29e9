/**
 * The body of a Node request, as bytes for a Web `Request`: read from the stream with a size cap,
 * or taken from what a host middleware (`express.json()`, koa-bodyparser) already parsed when that
 * middleware consumed the stream first. Never buffers more than the cap.
 */
import type { IncomingMessage } from "node:http";
import { ScimError } from "../errors.js";
import { bodyTooLarge as tooLarge } from "../http/exchange.js";

/** 1 MiB: far above any single SCIM resource or PATCH an IdP sends, small enough to hold in memory. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The 413 for a body over the cap; it closes the connection, dropping the unread rest. */
export const bodyTooLarge = (maxBytes: number): ScimError => tooLarge(maxBytes, true);

/** True once something read the request stream to its end (e.g. a body-parsing middleware). */
export function streamConsumed(req: IncomingMessage): boolean {
  return req.readableEnded || (req as { _body?: unknown })._body === true;
}

/**
 * Bytes for a body a middleware already parsed: strings and buffers as they are, anything else
 * serialised back to JSON (the engine reads JSON; form parsers' objects then meet its media-type check).
 */
export function serialiseParsedBody(body: unknown, maxBytes: number): Uint8Array | null {
  if (body === undefined) return null;
  let bytes: Uint8Array;
  if (typeof body === "string") bytes = Buffer.from(body, "utf8");
  else if (body instanceof Uint8Array) bytes = body;
  else {
    let json: string | undefined;
    try {
      json = JSON.stringify(body);
    } catch {
      throw new ScimError(400, "The request body could not be read");
    }
    if (json === undefined) return null;
    bytes = Buffer.from(json, "utf8");
  }
  if (bytes.byteLength > maxBytes) throw bodyTooLarge(maxBytes);
  return bytes;
}

/**
 * The whole body in one synchronous read, when the parser already holds all of it: an IdP's PATCH
 * or POST usually arrives in one packet with its headers, so by the time the engine asks, every
 * declared byte sits in the stream's buffer. Taking it with `read()` skips four listeners, the
 * switch to flowing mode and two ticks per request. Undefined when the stream is flowing, decodes
 * to strings, or is still waiting for bytes: the listeners below handle those.
 */
function bufferedBody(req: IncomingMessage, declared: number, maxBytes: number): Uint8Array | undefined {
  if (req.readableFlowing === true || req.readableEncoding !== null || req.readableLength > maxBytes) return undefined;
  const whole = req.complete || (Number.isFinite(declared) && req.readableLength === declared);
  if (!whole) return undefined;
  const chunk: unknown = req.read();
  // The parser may not have marked the message complete yet; flowing, the stream still reaches 'end'.
  if (!req.readableEnded) req.resume();
  if (chunk === null) return new Uint8Array(0);
  return chunk instanceof Uint8Array ? chunk : undefined;
}

/**
 * Reads the stream up to `maxBytes`. A declared `Content-Length` over the cap fails before a byte is
 * read; a chunked body fails as soon as it passes the cap, after which the rest is discarded unread
 * into memory (the 413 closes the connection).
 */
export function readBodyStream(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(bodyTooLarge(maxBytes));
  const whole = bufferedBody(req, declared, maxBytes);
  if (whole !== undefined) return Promise.resolve(whole);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onFailure);
      req.off("close", onFailure);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      size += buffer.byteLength;
      if (size > maxBytes) {
        cleanup();
        // Flowing with no listener drops data: the socket is not stalled, and nothing more is kept.
        req.resume();
        reject(bodyTooLarge(maxBytes));
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    // A client that disconnects mid-upload gets no answer; the error only ends the handler.
    const onFailure = () => {
      cleanup();
      reject(new ScimError(400, "The request body ended before it was complete"));
    };
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onFailure);
    req.once("close", onFailure);
  });
}

/**
 * Node `IncomingMessage` → the engine's plain {@link ScimRequest}, with no Fetch objects in between:
 * headers are read from `req.headers` on demand, and the body is read once, only when the engine
 * asks for it (a GET never touches the stream). A Web `Request` is built only if a host hook wants one.
 */
import { bodyTooLarge, type ScimRequest } from "../http/exchange.js";
import { disconnectSignal } from "./disconnect-signal.js";
import { requestUrl, type RequestUrlOptions } from "./request-url.js";
import { buildWebRequest, readNodeBody, type NodeBody, type NodeRequest } from "./to-web-request.js";
import type { ServerResponse } from "node:http";

export interface NodeScimRequestOptions extends RequestUrlOptions {
  /** A cap of the bridge's own; the server's `maxBodyBytes` always applies, and the smaller wins. @default none */
  readonly maxBodyBytes?: number | undefined;
  /** A body a host middleware already parsed (used only when it consumed the stream). @default req.body */
  readonly parsedBody?: unknown;
}

export function createNodeScimRequest(
  req: NodeRequest,
  res: ServerResponse,
  options: NodeScimRequestOptions = {},
): ScimRequest {
  const url = requestUrl(req, options);
  const method = (req.method ?? "GET").toUpperCase();
  const bridgeMax = options.maxBodyBytes ?? Number.POSITIVE_INFINITY;
  let body: Promise<NodeBody> | undefined;
  const readBody = (maxBytes: number) => (body ??= readNodeBody(req, method, options, Math.min(maxBytes, bridgeMax)));
  return {
    method,
    url: url.href,
    header(name) {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
    async text(maxBytes) {
      const { bytes } = await readBody(maxBytes);
      // A host hook may have read the body first, under the bridge's cap alone.
      if (bytes !== null && bytes.byteLength > maxBytes) throw bodyTooLarge(maxBytes, true);
      return bytes === null ? "" : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    },
    async webRequest(maxBytes) {
      return buildWebRequest(req, url, method, await readBody(maxBytes), disconnectSignal(res));
    },
  };
}

/**
 * The Node bridge: converts between `node:http` requests/responses and the Web `Request`/`Response`
 * the scimkit engine speaks. Express, Koa and plain `node:http` servers all go through it, so body
 * limits, pre-parsed bodies, abort handling and backpressure behave the same everywhere.
 *
 * @module @scimkit/core/node
 */
export { disconnectSignal } from "./disconnect-signal.js";
export { resolveFetch, resolveHandle, type FetchHandler, type FetchTarget, type ScimHandler } from "./fetch-target.js";
export type { ScimReply, ScimRequest } from "../http/exchange.js";
export { createNodeScimRequest, type NodeScimRequestOptions } from "./node-scim-request.js";
export {
  answerNodeRequest,
  fetchNodeRequest,
  writeNodeAnswer,
  type NodeAnswer,
  nodeHandler,
  type FetchNodeRequestOptions,
  type NodeErrorContext,
  type NodeHandlerOptions,
} from "./node-handler.js";
export { DEFAULT_MAX_BODY_BYTES } from "./request-body.js";
export type { RequestUrlOptions } from "./request-url.js";
export { toWebRequest, type NodeRequest, type ToWebRequestOptions } from "./to-web-request.js";
export { headerRecord, writeWebResponse } from "./write-web-response.js";

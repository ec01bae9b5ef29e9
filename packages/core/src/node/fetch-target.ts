/**
 * What an adapter mounts: a scimkit server, anything with a Web-standard `fetch`, or a bare `fetch`
 * function, so adapters can be tested, wrapped or composed without a full server.
 */
import type { ScimReply, ScimRequest } from "../http/exchange.js";

/** A Web-standard request handler: `Request` in, `Response` out. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** The engine's plain-data entry, which a scimkit server offers next to `fetch`. */
export type ScimHandler = (request: ScimRequest) => Promise<ScimReply>;

/** A scimkit server or a bare {@link FetchHandler}. */
export type FetchTarget = FetchHandler | { readonly fetch: FetchHandler; readonly handle?: ScimHandler | undefined };

/** The handler behind a target. Calls `target.fetch` as a method, so class-based servers keep `this`. */
export function resolveFetch(target: FetchTarget): FetchHandler {
  return typeof target === "function" ? target : (request) => target.fetch(request);
}

/** The plain-data entry of a target that has one (a scimkit server), else undefined. */
export function resolveHandle(target: FetchTarget): ScimHandler | undefined {
  if (typeof target === "function" || typeof target.handle !== "function") return undefined;
  return (request) => (target.handle as ScimHandler).call(target, request);
}

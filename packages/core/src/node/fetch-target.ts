/**
 * What an adapter mounts: a scimkit server (anything with a Web-standard `fetch`) or a bare `fetch`
 * function, so adapters can be tested, wrapped or composed without a full server.
 */

/** A Web-standard request handler: `Request` in, `Response` out. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** A scimkit server or a bare {@link FetchHandler}. */
export type FetchTarget = FetchHandler | { readonly fetch: FetchHandler };

/** The handler behind a target. Calls `target.fetch` as a method, so class-based servers keep `this`. */
export function resolveFetch(target: FetchTarget): FetchHandler {
  return typeof target === "function" ? target : (request) => target.fetch(request);
}

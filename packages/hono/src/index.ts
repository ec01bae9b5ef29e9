/**
 * Hono adapter for scimkit. Hono hands every handler a Web `Request` on every runtime it runs on
 * (Node through `@hono/node-server`, Bun, Deno, Cloudflare Workers and other edge runtimes), so the
 * engine's own `fetch` serves it with no Node bridge in between. Hono keeps the client's full URL
 * under `app.route()` and `basePath()`, so `meta.location` follows the mount path as it is.
 *
 * @module @scimkit/hono
 */
import type { FetchTarget } from "@scimkit/core/node";
import { Hono } from "hono";

export type { FetchHandler, FetchTarget } from "@scimkit/core/node";

/** The part of a Hono `Context` the handler reads; every Hono `Context` fits. */
export interface HonoContextLike {
  readonly req: {
    readonly raw: Request;
    /** The body, also when a middleware already read it through `c.req` (Hono keeps a copy). */
    arrayBuffer(): Promise<ArrayBuffer>;
  };
}

/** A Hono handler serving SCIM; `app.all(path, …)` accepts it. */
export type ScimHonoHandler = (c: HonoContextLike) => Promise<Response>;

/**
 * A handler for `app.all(…)`: passes `c.req.raw` to the engine. A body a middleware already read
 * through `c.req` (`json()`, `text()`, a validator) is taken from Hono's copy.
 *
 * @example
 * ```ts
 * app.all("/scim/v2/*", createHonoHandler(server));
 * ```
 */
export function createHonoHandler(target: FetchTarget): ScimHonoHandler {
  const fetch = typeof target === "function" ? target : (request: Request) => target.fetch(request);
  return async (c) => {
    const raw = c.req.raw;
    if (!raw.bodyUsed) return fetch(raw);
    const headers = new Headers(raw.headers);
    headers.delete("content-length");
    return fetch(new Request(raw, { headers, body: await c.req.arrayBuffer() }));
  };
}

/**
 * A Hono app serving a scimkit server (or any Web `fetch`) at every path under where it is routed:
 * the base URL itself, with or without a trailing slash, and everything below it.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createScimServer } from "@scimkit/core";
 * import { createHonoApp } from "@scimkit/hono";
 *
 * const app = new Hono();
 * app.route("/scim/v2", createHonoApp(createScimServer()));
 * export default app; // Bun, Deno, Workers; on Node: serve(app) from @hono/node-server
 * ```
 */
export function createHonoApp(target: FetchTarget): Hono {
  const handler = createHonoHandler(target);
  return new Hono().all("/", handler).all("/*", handler);
}

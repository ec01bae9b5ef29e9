/**
 * Next.js App Router route handlers for scimkit. Route handlers already receive a Web `Request`, so
 * they pass it to the engine, after one correction: Next builds `request.url` on its own listening
 * host (`localhost:3000`), not the host the client used, and the engine writes `meta.location` and
 * `Location` from that URL. The client's `Host` goes back in first.
 *
 * @module @scimkit/next
 */
import type { FetchTarget } from "@scimkit/core/node";

export type { FetchHandler, FetchTarget } from "@scimkit/core/node";

/** Options of {@link createNextRouteHandlers}. */
export interface ScimNextOptions {
  /**
   * Take the host from `X-Forwarded-Host` (first value) rather than `Host`. Turn on only behind a
   * proxy that sets it. The scheme is Next's own reading of `X-Forwarded-Proto`.
   * @default false
   */
  readonly trustProxy?: boolean | undefined;
}

/** A route handler; Next passes a second `context` argument that SCIM does not need. */
export type ScimRouteHandler = (request: Request) => Promise<Response>;

/** The exports of a catch-all `route.ts`. */
export interface ScimRouteHandlers {
  readonly GET: ScimRouteHandler;
  readonly POST: ScimRouteHandler;
  readonly PUT: ScimRouteHandler;
  readonly PATCH: ScimRouteHandler;
  readonly DELETE: ScimRouteHandler;
}

// A name or address with an optional port; anything else would let a client reshape the URL.
const hostPattern = /^(?:[a-z0-9._~%!$&'()*+,;=-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

function withClientHost(request: Request, trustProxy: boolean): Request {
  const forwarded = trustProxy ? request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  const host = forwarded || request.headers.get("host");
  if (!host || !hostPattern.test(host)) return request;
  const url = new URL(request.url);
  if (url.host === host.toLowerCase()) return request;
  // Rebuilt as text: assigning `url.host` a host without a port would keep Next's port.
  return new Request(`${url.protocol}//${host}${url.pathname}${url.search}`, request);
}

/**
 * Route handlers serving a scimkit server (or any Web `fetch`) from an optional catch-all route, so
 * the base URL itself and every path under it reach the engine.
 *
 * @example
 * ```ts
 * // app/scim/v2/[[...path]]/route.ts
 * import { createNextRouteHandlers } from "@scimkit/next";
 * import { server } from "@/lib/scim";
 *
 * export const dynamic = "force-dynamic";
 * export const { GET, POST, PUT, PATCH, DELETE } = createNextRouteHandlers(server);
 * ```
 */
export function createNextRouteHandlers(target: FetchTarget, options: ScimNextOptions = {}): ScimRouteHandlers {
  const fetch = typeof target === "function" ? target : (request: Request) => target.fetch(request);
  const handler: ScimRouteHandler = (request) => fetch(withClientHost(request, options.trustProxy ?? false));
  return { GET: handler, POST: handler, PUT: handler, PATCH: handler, DELETE: handler };
}

/**
 * Koa 2 and 3 middleware for scimkit. All conversion lives in the shared Node bridge
 * (`@scimkit/core/node`); this file only adapts Koa conventions: `ctx.originalUrl` for the full path
 * under `koa-mount` or a router prefix, a body koa-bodyparser already read, and the answer set
 * through `ctx.status`, `ctx.set` and `ctx.body` so Koa's own middleware still sees it.
 *
 * @module @scimkit/koa
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { answerNodeRequest, headerRecord, type FetchTarget, type NodeHandlerOptions } from "@scimkit/core/node";

export type { FetchHandler, FetchTarget } from "@scimkit/core/node";

/** Options of {@link createKoaMiddleware}. */
export interface ScimKoaOptions extends Omit<NodeHandlerOptions, "trustProxy"> {
  /** Take scheme and host from `X-Forwarded-*` headers. @default the app's `proxy` setting */
  readonly trustProxy?: boolean | undefined;
}

/** The parts of a Koa context the middleware uses; Koa 2's and 3's contexts both fit. */
export interface KoaContextLike {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly originalUrl: string;
  readonly request: { readonly body?: unknown; readonly rawBody?: unknown };
  readonly app: { readonly proxy: boolean };
  status: number;
  body: unknown;
  set(field: string, value: string | string[]): void;
}

/** A Koa middleware; it answers every request it gets and never calls `next`. */
export type ScimKoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;

// Statuses Koa sends without a body; for any other, a null body would make Koa switch to 204.
const emptyStatuses = new Set([204, 205, 304]);

/**
 * Mounts a scimkit server (or any Web `fetch`) in Koa.
 *
 * @example
 * ```ts
 * import Koa from "koa";
 * import mount from "koa-mount";
 * import { createScimServer } from "@scimkit/core";
 * import { createKoaMiddleware } from "@scimkit/koa";
 *
 * const app = new Koa();
 * app.use(mount("/scim/v2", createKoaMiddleware(createScimServer())));
 * app.listen(3000);
 * ```
 */
export function createKoaMiddleware(target: FetchTarget, options: ScimKoaOptions = {}): ScimKoaMiddleware {
  return async (ctx) => {
    const answer = await answerNodeRequest(target, ctx.req, ctx.res, {
      ...options,
      url: ctx.originalUrl,
      trustProxy: options.trustProxy ?? ctx.app.proxy,
      // koa-bodyparser keeps the raw text next to the parsed body: pass the bytes the client sent.
      parsedBody: ctx.request.rawBody ?? ctx.request.body,
    });
    ctx.status = answer.status;
    const web = answer instanceof Response;
    for (const [name, value] of Object.entries(web ? headerRecord(answer.headers) : answer.headers))
      ctx.set(name, value);
    if (answer.body === null) ctx.body = emptyStatuses.has(answer.status) ? null : "";
    else ctx.body = web ? Readable.fromWeb(answer.body as NodeReadableStream<Uint8Array>) : answer.body;
  };
}

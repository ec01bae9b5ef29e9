/**
 * Fastify 5 plugin for scimkit. All conversion lives in the shared Node bridge (`@scimkit/core/node`);
 * this file only adapts Fastify conventions: a plugin registered under a `prefix`, its own content-type
 * parsing (Fastify knows no `application/scim+json`), the route's `bodyLimit`, and the answer sent
 * through `reply` so Fastify's hooks and logging still see it.
 *
 * @module @scimkit/fastify
 */
import { answerNodeRequest, type FetchTarget, type NodeHandlerOptions } from "@scimkit/core/node";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";

export type { FetchHandler, FetchTarget } from "@scimkit/core/node";

/** Options of {@link createFastifyPlugin} and {@link createFastifyHandler}. */
export interface ScimFastifyOptions extends NodeHandlerOptions {
  /**
   * Largest request body accepted, in bytes; a larger one gets a 413 SCIM error. The scimkit
   * server's own `maxBodyBytes` applies as well: the smaller wins.
   * @default the route's `bodyLimit` (Fastify's default: 1 MiB)
   */
  readonly maxBodyBytes?: number | undefined;
}

/** A Fastify route handler serving SCIM. */
export type ScimFastifyHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/**
 * A route handler for `fastify.all(…)` in a context of your own. A body Fastify already parsed (with
 * its JSON parser, or one you added for `application/scim+json`) is used as it is; a body nothing
 * parsed is read here. {@link createFastifyPlugin} is the usual way in.
 */
export function createFastifyHandler(target: FetchTarget, options: ScimFastifyOptions = {}): ScimFastifyHandler {
  return async (request, reply) => {
    const answer = await answerNodeRequest(target, request.raw, reply.raw, {
      ...options,
      maxBodyBytes: options.maxBodyBytes ?? request.routeOptions.bodyLimit,
      parsedBody: request.body,
    });
    // Fastify sends a Web `Response` itself: status, every header value, the body streamed.
    if (answer instanceof Response) return reply.send(answer);
    return reply
      .code(answer.status)
      .headers(answer.headers)
      .send(answer.body ?? undefined);
  };
}

/**
 * Mounts a scimkit server (or any Web `fetch`) in Fastify, at the `prefix` it is registered with: the
 * SCIM base URL, and so `meta.location`, is that prefix. Inside the plugin's own context every content
 * type is left unparsed and the body is read by the bridge under the size cap; the app's parsers
 * elsewhere are untouched.
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import { createScimServer } from "@scimkit/core";
 * import { createFastifyPlugin } from "@scimkit/fastify";
 *
 * const app = Fastify();
 * await app.register(createFastifyPlugin(createScimServer()), { prefix: "/scim/v2" });
 * await app.listen({ port: 3000 });
 * ```
 */
export function createFastifyPlugin(target: FetchTarget, options: ScimFastifyOptions = {}): FastifyPluginAsync {
  const handler = createFastifyHandler(target, options);
  return async (fastify) => {
    fastify.removeAllContentTypeParsers();
    // Claims every body without reading it: the handler streams it from the request under the cap.
    fastify.addContentTypeParser("*", (_request, _payload, done) => done(null));
    fastify.all("/", handler);
    fastify.all("/*", handler);
  };
}

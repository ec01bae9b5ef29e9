/**
 * Express 4 and 5 middleware for scimkit. All conversion lives in the shared Node bridge
 * (`@scimkit/core/node`); this file only adapts Express conventions: `req.originalUrl` for the full
 * path under a mount, `req.body` from `express.json()`, the app's `trust proxy` setting, `next(err)`.
 *
 * @module @scimkit/express
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerNodeRequest, writeNodeAnswer, type FetchTarget, type NodeHandlerOptions } from "@scimkit/core/node";

export type { FetchHandler, FetchTarget } from "@scimkit/core/node";

/** Options of {@link createExpressMiddleware}. */
export interface ScimExpressOptions extends Omit<NodeHandlerOptions, "trustProxy"> {
  /**
   * Take scheme and host from `X-Forwarded-Proto` / `X-Forwarded-Host`.
   * @default the app's `trust proxy` setting (`app.set("trust proxy", …)`)
   */
  readonly trustProxy?: boolean | undefined;
}

/** The parts of an Express request the middleware reads; Express 4's and 5's `Request` both fit. */
export type ExpressRequestLike = IncomingMessage & {
  originalUrl?: string | undefined;
  body?: unknown;
  app?: { enabled(setting: string): boolean } | undefined;
};

/** An Express middleware; `app.use(path, …)` and `router.use(…)` accept it in Express 4 and 5. */
export type ScimExpressMiddleware = (
  req: ExpressRequestLike,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Mounts a scimkit server (or any Web `fetch`) in Express. The SCIM base URL is wherever it is
 * mounted: the engine reads it from `req.originalUrl`, so `meta.location` stays right under any prefix.
 * Bodies are read here for every content type (`application/scim+json` included); a body that
 * `express.json()` already parsed is used as it is.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { createScimServer } from "@scimkit/core";
 * import { createExpressMiddleware } from "@scimkit/express";
 *
 * const server = createScimServer();
 * const app = express();
 * app.use("/scim/v2", createExpressMiddleware(server));
 * app.listen(3000);
 * ```
 */
export function createExpressMiddleware(target: FetchTarget, options: ScimExpressOptions = {}): ScimExpressMiddleware {
  return (req, res, next) => {
    const trustProxy = options.trustProxy ?? req.app?.enabled("trust proxy") === true;
    answerNodeRequest(target, req, res, { ...options, trustProxy })
      .then((answer) => writeNodeAnswer(res, answer))
      // Only a failure while writing lands here; Express's error handling decides what is left to do.
      .catch(next);
  };
}

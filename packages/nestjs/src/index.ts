/**
 * NestJS adapter for scimkit: a functional middleware, and a module that applies it to a path. All
 * conversion lives in the shared Node bridge (`@scimkit/core/node`); this file only adapts Nest's
 * conventions: `req.originalUrl` for the full path (Express and Fastify platforms alike), the body
 * Nest's JSON parser already read, the Express app's `trust proxy` setting, `next(err)`. No
 * decorators, so nothing here needs `experimentalDecorators` or `emitDecoratorMetadata`.
 *
 * @module @scimkit/nestjs
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerNodeRequest, writeNodeAnswer, type FetchTarget, type NodeHandlerOptions } from "@scimkit/core/node";

export type { FetchHandler, FetchTarget } from "@scimkit/core/node";

/** Options of {@link createNestMiddleware}. */
export interface ScimNestOptions extends Omit<NodeHandlerOptions, "trustProxy"> {
  /**
   * Take scheme and host from `X-Forwarded-Proto` / `X-Forwarded-Host`.
   * @default the Express app's `trust proxy` setting (`app.set("trust proxy", …)`); false on Fastify
   */
  readonly trustProxy?: boolean | undefined;
}

/** Options of {@link ScimModule.forRoot}. */
export interface ScimModuleOptions extends ScimNestOptions {
  /** Where the SCIM base URL is, under the app's global prefix if it has one. @default "scim/v2" */
  readonly path?: string | undefined;
}

/** The parts of a request Nest middleware gets that the middleware reads (Express or Fastify platform). */
export type NestRequestLike = IncomingMessage & {
  originalUrl?: string | undefined;
  body?: unknown;
  app?: { enabled(setting: string): boolean } | undefined;
};

/** A functional Nest middleware; `consumer.apply(…)` accepts it. */
export type ScimNestMiddleware = (req: NestRequestLike, res: ServerResponse, next: (error?: unknown) => void) => void;

/** The part of Nest's `MiddlewareConsumer` the module uses. */
export interface MiddlewareConsumerLike {
  apply(...middleware: ScimNestMiddleware[]): { forRoutes(...routes: string[]): unknown };
}

/** What {@link ScimModule.forRoot} returns: a Nest dynamic module, for `imports: […]`. */
export interface ScimDynamicModule {
  readonly module: new () => { configure(consumer: MiddlewareConsumerLike): void };
}

/**
 * A Nest middleware serving a scimkit server (or any Web `fetch`); it answers every request it gets.
 * Bodies are read here for every content type; a body Nest's JSON parser already read is used.
 *
 * @example
 * ```ts
 * export class AppModule implements NestModule {
 *   configure(consumer: MiddlewareConsumer) {
 *     consumer.apply(createNestMiddleware(scim)).forRoutes("scim/v2", "scim/v2/{*path}");
 *   }
 * }
 * ```
 */
export function createNestMiddleware(target: FetchTarget, options: ScimNestOptions = {}): ScimNestMiddleware {
  return (req, res, next) => {
    const trustProxy = options.trustProxy ?? req.app?.enabled("trust proxy") === true;
    answerNodeRequest(target, req, res, { ...options, trustProxy })
      .then((answer) => writeNodeAnswer(res, answer))
      // Only a failure while writing lands here; Nest's error handling decides what is left to do.
      .catch(next);
  };
}

// biome-ignore lint/complexity/noStaticOnlyClass: `ScimModule.forRoot(…)` is the form Nest users expect.
export class ScimModule {
  /**
   * A module serving a scimkit server at `path` and everything under it, on the Express or Fastify
   * platform. Each call is a module of its own, so one app can serve several paths.
   *
   * @example
   * ```ts
   * @Module({ imports: [ScimModule.forRoot(scim)] })
   * export class AppModule {}
   * ```
   */
  static forRoot(target: FetchTarget, options: ScimModuleOptions = {}): ScimDynamicModule {
    const { path = "scim/v2", ...rest } = options;
    const base = path.replace(/^\/+|\/+$/g, "");
    const middleware = createNestMiddleware(target, rest);
    return {
      module: class ScimModule {
        configure(consumer: MiddlewareConsumerLike): void {
          consumer.apply(middleware).forRoutes(base, `${base}/{*path}`);
        }
      },
    };
  }
}

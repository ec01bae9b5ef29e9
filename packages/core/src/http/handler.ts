/**
 * The HTTP surface: a {@link ScimRequest} → a {@link ScimReply}. Routes the URL, authenticates the caller,
 * validates the method and body, runs the operation in one unit of work and renders the SCIM
 * answer (RFC 7644 §3). Every failure becomes an RFC error body; internals never reach the client.
 */
import { profiles } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { authenticateRequest, type AuthOptions, type Caller } from "../directories/authenticate.js";
import type { HealthTracker } from "../directories/health.js";
import { ScimError, badRequest, isScimError } from "../errors.js";
import { runBulk } from "./bulk.js";
import type { RateLimiter } from "./rate-limit.js";
import { inSpan, type SpanLike } from "../telemetry/tracing.js";
import { listParamsFromBody, listParamsFromQuery, projectionFromQuery, type ListParams } from "../query/list-params.js";
import { compileProjection } from "../query/projection.js";
import { createResource } from "../resources/create.js";
import { deleteResource } from "../resources/delete.js";
import { patchResource } from "../resources/patch.js";
import { listResources, loadResource, type LoadedResource } from "../resources/read.js";
import { renderResource } from "../resources/render.js";
import { replaceResource } from "../resources/replace.js";
import { searchAll } from "../resources/search-all.js";
import { NO_ANSWER, type AnswerNeeds } from "../resources/write.js";
import type { JsonObject, StoredResource } from "../store/types.js";
import { readJsonBody } from "./body.js";
import { discoveryResponse, type DiscoveryOptions } from "./discovery.js";
import { cursorListResponse, listResponse } from "../query/list-response.js";
import { etagOf, notModified } from "../resources/etag.js";
import { errorReply, noContent, scimJson, toScimError } from "./respond.js";
import type { ScimReply, ScimRequest } from "./exchange.js";
import { routeRequest, type Route } from "./route.js";
import { runRead, runWrite, scopeFor, type RequestScope, type UnitOfWorkDeps } from "../engine/unit-of-work.js";
import type { ScimLogger } from "../logger.js";
import type { SchemaRegistry } from "../schema/registry.js";

export interface HandlerDeps extends UnitOfWorkDeps {
  /** Per-directory request rate, when the host set one. */
  readonly rateLimiter: RateLimiter | undefined;
  /** How long a write may run before it rolls back and is answered 503. */
  readonly requestTimeoutMs: number;
  readonly auth: AuthOptions;
  readonly basePath: string | undefined;
  readonly maxBodyBytes: number;
  readonly defaultCount: number;
  readonly trustProxy: boolean;
  readonly discovery: DiscoveryOptions;
  readonly health: HealthTracker;
  readonly logger: ScimLogger;
  /** Notes the caller's last use; undefined when nothing is written (within the throttle window). */
  readonly touch: (caller: Caller) => Promise<void> | undefined;
}

const methodNotAllowed = (allow: string) =>
  new ScimError(405, "Method not allowed on this endpoint", undefined, { allow });

// A forwarded host is a name or address with an optional port, as the Node bridge requires of Host:
// anything else (a space, a slash, `@`) would make every URL built from it invalid or someone else's.
const hostPattern = /^(?:[a-z0-9._~%!$&'()*+,;=-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

function originOf(request: ScimRequest, url: URL, trustProxy: boolean): string {
  if (!trustProxy) return url.origin;
  const proto = request.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  const host = request.header("x-forwarded-host")?.split(",")[0]?.trim();
  const origin = `${proto === "http" || proto === "https" ? proto : url.protocol.replace(":", "")}://${host || url.host}`;
  if (host && !(hostPattern.test(host) && parses(`${origin}/`)))
    throw badRequest("invalidValue", "The X-Forwarded-Host header is not a valid host name");
  return origin;
}

function parses(href: string): boolean {
  try {
    new URL(href);
    return true;
  } catch {
    return false;
  }
}

function render(
  registry: SchemaRegistry,
  baseUrl: string,
  loaded: LoadedResource,
  projection: ReturnType<typeof compileProjection>,
): JsonObject {
  return projection.apply(renderResource(registry, loaded.resource, baseUrl, loaded.groups ?? loaded.resource.groups));
}

export function createHandler(deps: HandlerDeps): (request: ScimRequest) => Promise<ScimReply> {
  async function resourceEndpoint(
    request: ScimRequest,
    url: URL,
    route: Route,
    typeId: string,
    scope: RequestScope,
    caller: Caller,
  ): Promise<ScimReply> {
    const method = request.method;
    const asked = projectionFromQuery(url.searchParams);
    const projection = compileProjection(deps.registry, typeId, asked);
    // The answer to a write is rendered from what the write wrote: no read after it.
    const needs: AnswerNeeds = {
      members: typeId === "Group" && projection.wants("members"),
      groups: typeId === "User" && projection.wants("groups"),
    };
    const single = (written: StoredResource | null, status: number) => {
      // A policy may have removed the resource during this request (hard-delete deprovisioning): 204.
      if (!written) return noContent();
      const body = render(deps.registry, scope.baseUrl, { resource: written }, projection);
      const headers: Record<string, string> = { etag: etagOf(written.version) };
      if (status === 201) headers["location"] = String((body["meta"] as JsonObject)["location"]);
      return scimJson(status, body, headers);
    };
    // A list's projection comes from its own parameters: the query string, or a SearchRequest body.
    const list = async (params: ListParams) =>
      runRead(deps, scope, async (ctx) => {
        const listProjection = compileProjection(deps.registry, typeId, params);
        const result = await listResources(ctx, typeId, params, listProjection);
        const items = result.items.map((item) => render(deps.registry, scope.baseUrl, item, listProjection));
        return scimJson(
          200,
          result.byCursor
            ? cursorListResponse(items, result.total, result.nextCursor, result.previousCursor)
            : listResponse(items, result.total, result.startIndex),
        );
      });

    if (route.kind === "search") {
      if (method !== "POST") throw methodNotAllowed("POST");
      const params = listParamsFromBody(
        await readJsonBody(request, deps.maxBodyBytes),
        deps.discovery.maxResults,
        deps.defaultCount,
      );
      return list(params);
    }
    if (route.kind === "collection") {
      if (method === "GET")
        return list(listParamsFromQuery(url.searchParams, deps.discovery.maxResults, deps.defaultCount));
      if (method !== "POST") throw methodNotAllowed("GET, POST");
      const body = await readJsonBody(request, deps.maxBodyBytes);
      return single(
        await runWrite(deps, scopeFor(scope, `create ${typeId}`, typeId), (ctx) => createResource(ctx, typeId, body)),
        201,
      );
    }
    const id = route.id;
    const ifMatch = request.header("if-match");
    switch (method) {
      case "GET":
        return runRead(deps, scope, async (ctx) => {
          const loaded = await loadResource(ctx, typeId, id, projection);
          if (notModified(request.header("if-none-match"), loaded.resource.version)) {
            return noContent({ etag: etagOf(loaded.resource.version) }, 304);
          }
          return scimJson(200, render(deps.registry, scope.baseUrl, loaded, projection), {
            etag: etagOf(loaded.resource.version),
          });
        });
      case "PUT": {
        const body = await readJsonBody(request, deps.maxBodyBytes);
        return single(
          await runWrite(deps, scopeFor(scope, `replace ${typeId}`, typeId, id), (ctx) =>
            replaceResource(ctx, typeId, id, body, ifMatch, needs),
          ),
          200,
        );
      }
      case "PATCH": {
        const body = await readJsonBody(request, deps.maxBodyBytes);
        // Asking for a projection asks for a body, whatever the directory's default.
        const wantsBody =
          caller.directory.patchResponse[typeId === "Group" ? "Group" : "User"] === "resource" ||
          asked.attributes.length > 0 ||
          asked.excludedAttributes.length > 0;
        const written = await runWrite(deps, scopeFor(scope, `patch ${typeId}`, typeId, id), (ctx) =>
          patchResource(ctx, typeId, id, body, ifMatch, wantsBody ? needs : NO_ANSWER),
        );
        if (!written) return noContent();
        return wantsBody ? single(written, 200) : noContent({ etag: etagOf(written.version) });
      }
      case "DELETE":
        await runWrite(deps, scopeFor(scope, `delete ${typeId}`, typeId, id), (ctx) =>
          deleteResource(ctx, typeId, id, ifMatch),
        );
        return noContent();
      default:
        throw methodNotAllowed("GET, PUT, PATCH, DELETE");
    }
  }

  function reportFailure(thrown: unknown): void {
    deps.logger.error("scimkit: request failed", {
      error:
        thrown instanceof Error ? { name: thrown.name, message: thrown.message, stack: thrown.stack } : String(thrown),
    });
  }

  /** One /Bulk operation, served by the endpoint its path names, like the request it stands for. */
  async function bulkOperation(request: ScimRequest, scope: RequestScope, caller: Caller): Promise<ScimReply> {
    const url = new URL(request.url);
    const route = routeRequest(url.pathname, deps.basePath).route;
    const type = route && route.kind !== "search" ? deps.registry.byEndpoint(route.endpoint) : undefined;
    if (!route || route.kind === "search" || !type) {
      throw badRequest(
        "invalidPath",
        `A bulk operation's path must name a resource or a collection, not "${url.pathname}"`,
      );
    }
    return resourceEndpoint(
      request,
      url,
      route,
      type.type.id,
      scopeFor(scope, `${request.method} ${route.kind}`),
      caller,
    );
  }

  async function dispatch(
    request: ScimRequest,
    url: URL,
    route: Route,
    scope: RequestScope,
    caller: Caller,
  ): Promise<ScimReply> {
    const method = request.method;
    if (route.kind === "search" && route.endpoint === null) {
      if (method !== "POST") throw methodNotAllowed("POST");
      const params = listParamsFromBody(
        await readJsonBody(request, deps.maxBodyBytes),
        deps.discovery.maxResults,
        deps.defaultCount,
      );
      return runRead(deps, scope, async (ctx) => scimJson(200, await searchAll(ctx, params)));
    }
    const endpoint = route.endpoint ?? "";
    const type = deps.registry.byEndpoint(endpoint);
    if (type) return resourceEndpoint(request, url, route, type.type.id, scope, caller);
    const lower = endpoint.toLowerCase();
    if (lower === "bulk" && deps.discovery.bulk) {
      // /Bulk is supported: only the collection itself exists.
      if (route.kind !== "collection") throw new ScimError(404, `No SCIM endpoint at ${url.pathname}`);
      if (method !== "POST") throw methodNotAllowed("POST");
      const limits = deps.discovery.bulk;
      const body = await readJsonBody(request, limits.maxPayloadSize);
      const run = (op: ScimRequest) =>
        bulkOperation(op, scope, caller).catch((thrown: unknown) => {
          // The operation answers a generic 500 in the BulkResponse; what went wrong goes to the logger.
          if (!isScimError(thrown)) reportFailure(thrown);
          throw thrown;
        });
      return scimJson(200, await runBulk(request, scope.baseUrl, body, limits, run));
    }
    if (lower === "bulk" || lower === "me")
      throw new ScimError(501, `/${endpoint} is not supported by this service provider`);
    if (route.kind === "search") throw new ScimError(404, "Search is available on /Users, /Groups and the base URL");
    if (method !== "GET") throw methodNotAllowed("GET");
    return scimJson(
      200,
      discoveryResponse(deps.registry, scope.baseUrl, endpoint, route.kind === "resource" ? route.id : null, {
        ...deps.discovery,
        defaultPageSize: deps.defaultCount,
      }),
    );
  }

  return (request) =>
    inSpan(deps.tracer, "scim.request", { "http.request.method": request.method }, async (span) => {
      const reply = await handle(request, span);
      span?.setAttribute("http.response.status_code", reply.status);
      span?.setAttribute("scim.outcome", reply.status < 400 ? "success" : "failure");
      // One IdP request can be followed end to end: its id comes back, and the audit trail has it.
      const requestId = request.header("x-request-id") ?? request.header("client-request-id");
      return requestId === null ? reply : { ...reply, headers: { ...reply.headers, "x-request-id": requestId } };
    });

  async function handle(request: ScimRequest, span: SpanLike | undefined): Promise<ScimReply> {
    let caller: Caller | null = null;
    let aimedAt: string | null = null;
    // The request's tolerance context's list, which keeps filling as the request runs.
    let fired: readonly string[] = [];
    try {
      const url = new URL(request.url);
      const routed = routeRequest(url.pathname, deps.basePath);
      if (!routed.route) throw new ScimError(404, `No SCIM endpoint at ${url.pathname}`);
      const deadline = performance.now() + deps.requestTimeoutMs;
      caller = await authenticateRequest(request, url, routed.directoryId, deps.auth, (id) => void (aimedAt = id));
      deps.rateLimiter?.take(caller.directory.id);
      // The token's last-use note is bookkeeping, written off the request path.
      deps.touch(caller)?.catch(reportFailure);
      const scope: RequestScope = {
        tenantId: caller.directory.tenantId,
        actor: {
          directoryId: caller.directory.id,
          tokenId: caller.tokenId,
          userAgent: request.header("user-agent"),
          requestId: request.header("x-request-id") ?? request.header("client-request-id"),
        },
        tol: toleranceContext(profiles[caller.directory.profile] ?? profiles.lenient),
        baseUrl: `${originOf(request, url, deps.trustProxy)}${routed.basePath}`,
        operation: `${request.method} ${routed.route.kind}`,
        resourceType: undefined,
        resourceId: undefined,
        deadline,
      };
      fired = scope.tol.fired;
      span?.setAttribute("scim.tenant_id", scope.tenantId);
      span?.setAttribute("scim.directory_id", caller.directory.id);
      span?.setAttribute("scim.idp_profile", caller.directory.profile);
      span?.setAttribute("scim.operation", scope.operation);
      const response = await dispatch(request, url, routed.route, scope, caller);
      deps.health.record(caller.directory.id, response.status, undefined, fired);
      return response;
    } catch (thrown) {
      const error = toScimError(thrown);
      if (error.status >= 500 && error.status !== 501) reportFailure(thrown);
      const directoryId = caller?.directory.id ?? aimedAt;
      if (directoryId !== null) deps.health.record(directoryId, error.status, error.detail, fired);
      return errorReply(error);
    }
  }
}

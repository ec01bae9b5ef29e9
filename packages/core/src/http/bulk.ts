/**
 * RFC 7644 §3.7: /Bulk. Each operation runs as its own request through the same endpoint code as
 * its single-request twin — its own unit of work, audit entry and events — and commits alone, the
 * RFC's model: an operation that fails leaves no trace, and the ones before it stay committed.
 *
 * `bulkId:` references, in a path or anywhere in `data` (a new group's members naming users created
 * in the same request), are resolved to the ids the referenced POSTs created. Operations run in
 * request order, except that one waiting for a bulkId created later is deferred until it exists;
 * operations left waiting on each other (a circular reference) fail with 409. `failOnErrors` stops
 * the request after that many failures, leaving the rest unprocessed and out of the response.
 */
import { z } from "zod";
import { ScimError, badRequest, toScimError } from "../errors.js";
import type { JsonObject, JsonValue } from "../json.js";
import { URN } from "../schema/urns.js";
import type { BulkLimits } from "./discovery.js";
import type { ScimReply, ScimRequest } from "./exchange.js";

const operation = z.object({
  method: z.string().transform((m) => m.toUpperCase()),
  bulkId: z.string().min(1).optional(),
  version: z.string().optional(),
  path: z.string().min(1),
  data: z.unknown().optional(),
});

const bulkRequest = z.object({
  schemas: z.array(z.string()).optional(),
  failOnErrors: z.number().int().min(1).optional(),
  Operations: z.array(z.unknown()),
});

type Operation = z.infer<typeof operation>;

/** Runs one operation as a request of its own, answering as that request would be answered. */
export type RunOperation = (request: ScimRequest) => Promise<ScimReply>;

const REF = /^bulkId:(.+)$/;

/**
 * No resource nests deeper than a few levels. Data nested deeper is refused before anything walks
 * it: the walks below recurse, and a client could otherwise exhaust the stack (a 500).
 */
const MAX_DATA_DEPTH = 64;

/** True when `value` nests deeper than `limit` levels; walks without recursion. */
function nestsDeeper(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, depth] = next;
    if (v === null || typeof v !== "object") continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Every `bulkId:` a value refers to, in a string anywhere inside it. */
function referencesIn(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === "string") {
    const m = REF.exec(value);
    if (m?.[1] !== undefined) out.add(m[1]);
  } else if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) referencesIn(v, out);
  return out;
}

function resolved(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") {
    const m = REF.exec(value);
    return m?.[1] !== undefined ? (ids.get(m[1]) ?? value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => resolved(v, ids));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolved(v, ids)]));
  return value;
}

/** A path's `bulkId:` segments (`/Groups/bulkId:g1`) → the ids created for them. */
const resolvedPath = (path: string, ids: ReadonlyMap<string, string>): string =>
  path
    .split("/")
    .map((segment) => String(resolved(segment, ids)))
    .join("/");

function opRequest(parent: ScimRequest, baseUrl: string, op: Operation, path: string, data: unknown): ScimRequest {
  const body = data === undefined ? "" : JSON.stringify(data);
  const url = `${baseUrl}${path.startsWith("/") ? path : `/${path}`}`;
  return {
    method: op.method,
    url,
    header(name) {
      const n = name.toLowerCase();
      if (n === "if-match") return op.version ?? null;
      if (n === "if-none-match") return null;
      if (n === "content-type") return "application/scim+json";
      return parent.header(name);
    },
    async text() {
      return body;
    },
    async webRequest() {
      return new Request(url, {
        method: op.method,
        headers: { "content-type": "application/scim+json" },
        ...(body === "" ? {} : { body }),
      });
    },
  };
}

const METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Serves a /Bulk request whose body is `body` (already read within `maxPayloadSize`). */
export async function runBulk(
  parent: ScimRequest,
  baseUrl: string,
  body: unknown,
  limits: BulkLimits,
  run: RunOperation,
): Promise<JsonObject> {
  const parsed = bulkRequest.safeParse(body);
  if (!parsed.success)
    throw badRequest(
      "invalidSyntax",
      `A BulkRequest needs an "Operations" array (${parsed.error.issues[0]?.message ?? "invalid"})`,
    );
  const { Operations: raw, failOnErrors } = parsed.data;
  if (raw.length > limits.maxOperations) {
    throw new ScimError(
      413,
      `The bulk request has ${raw.length} operations; the maximum is ${limits.maxOperations} (maxOperations)`,
    );
  }
  const ops: (
    | Operation
    | { readonly invalid: string; readonly method: string; readonly bulkId?: string | undefined }
  )[] = raw.map((o) => {
    const r = operation.safeParse(o);
    if (!r.success)
      return {
        invalid: `Invalid bulk operation: ${r.error.issues.map((i) => `${i.path.join(".") || "operation"} ${i.message}`).join("; ")}`,
        method: "",
      };
    if (!METHODS.has(r.data.method))
      return {
        invalid: `Bulk method "${r.data.method}" is not POST, PUT, PATCH or DELETE`,
        method: r.data.method,
        bulkId: r.data.bulkId,
      };
    if (nestsDeeper(r.data.data, MAX_DATA_DEPTH))
      return {
        invalid: `Bulk operation data nests deeper than ${MAX_DATA_DEPTH} levels`,
        method: r.data.method,
        bulkId: r.data.bulkId,
      };
    return r.data;
  });
  const creators = new Map<string, number>();
  ops.forEach((op, i) => {
    if (!("invalid" in op) && op.method === "POST" && op.bulkId !== undefined) creators.set(op.bulkId, i);
  });

  const results: (JsonObject | undefined)[] = ops.map(() => undefined);
  const created = new Map<string, string>();
  const failedIds = new Set<string>();
  let errors = 0;
  const fail = (i: number, error: ScimError) => {
    const op = ops[i];
    if (op === undefined) return;
    errors += 1;
    if (op.bulkId !== undefined) failedIds.add(op.bulkId);
    results[i] = {
      method: op.method,
      ...(op.bulkId !== undefined ? { bulkId: op.bulkId } : {}),
      status: String(error.status),
      response: error.toJSON() as unknown as JsonObject,
    };
  };
  const stopped = () => failOnErrors !== undefined && errors >= failOnErrors;

  const pending = new Set(ops.keys());
  while (pending.size > 0 && !stopped()) {
    let progressed = false;
    for (const i of pending) {
      if (stopped()) break;
      const op = ops[i];
      if (op === undefined) continue;
      if ("invalid" in op) {
        pending.delete(i);
        progressed = true;
        fail(i, badRequest("invalidSyntax", op.invalid));
        continue;
      }
      const refs = referencesIn([op.path.split("/"), op.data], new Set());
      const unknown = [...refs].find((r) => !creators.has(r));
      const broken = [...refs].find((r) => failedIds.has(r));
      if (unknown !== undefined || broken !== undefined) {
        pending.delete(i);
        progressed = true;
        fail(
          i,
          unknown !== undefined
            ? badRequest("invalidValue", `No POST in this request has bulkId "${unknown}"`)
            : new ScimError(409, `The operation that was to create bulkId "${broken}" failed`),
        );
        continue;
      }
      if ([...refs].some((r) => !created.has(r))) continue;
      pending.delete(i);
      progressed = true;
      const path = resolvedPath(op.path, created);
      const reply: ScimReply = await run(opRequest(parent, baseUrl, op, path, resolved(op.data, created))).catch(
        (e: unknown) => {
          const error = toScimError(e);
          return { status: error.status, headers: {}, body: JSON.stringify(error.toJSON()) };
        },
      );
      if (reply.status >= 400) {
        const parsedBody = reply.body === null ? {} : (JSON.parse(reply.body) as JsonObject);
        errors += 1;
        if (op.bulkId !== undefined) failedIds.add(op.bulkId);
        results[i] = {
          method: op.method,
          ...(op.bulkId !== undefined ? { bulkId: op.bulkId } : {}),
          status: String(reply.status),
          response: parsedBody,
        };
        continue;
      }
      const location = reply.headers["location"];
      const createdId = location?.split("/").pop();
      if (op.method === "POST" && op.bulkId !== undefined && createdId !== undefined)
        created.set(op.bulkId, decodeURIComponent(createdId));
      const entry: Record<string, JsonValue> = { method: op.method, status: String(reply.status) };
      if (op.bulkId !== undefined) entry["bulkId"] = op.bulkId;
      const etag = reply.headers["etag"];
      if (etag !== undefined) entry["version"] = etag;
      entry["location"] = location ?? `${baseUrl}${path.startsWith("/") ? path : `/${path}`}`;
      results[i] = entry;
    }
    if (!progressed) {
      // Everything left waits on something else left: a circular reference (RFC 7644 §3.7.1).
      for (const i of pending) fail(i, new ScimError(409, "The operation is part of a circular bulkId reference"));
      pending.clear();
    }
  }
  return { schemas: [URN.BulkResponse], Operations: results.filter((r): r is JsonObject => r !== undefined) };
}

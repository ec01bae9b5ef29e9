/**
 * RFC 7644 §3.4.2 list parameters, from a query string (GET) or a SearchRequest body (POST .search),
 * validated with zod. Paging is forgiving as IdPs expect (tolerance 20): `startIndex` < 1 means 1,
 * `count` is capped at the advertised maximum, `count=0` asks for totals only. Unknown parameters
 * are ignored. RFC 9865's `cursor` selects cursor paging; its value is read by `cursor.ts`.
 */
import { z } from "zod";
import { badRequest } from "../errors.js";
import { URN } from "../schema/urns.js";

export interface ListParams {
  readonly filter?: string | undefined;
  readonly sortBy?: string | undefined;
  readonly sortOrder: "ascending" | "descending";
  readonly startIndex: number;
  readonly count: number;
  /**
   * RFC 9865: present (empty for the first page) when the client pages by cursor; absent for
   * index paging (`startIndex`), the default.
   */
  readonly cursor?: string | undefined;
  readonly attributes: readonly string[];
  readonly excludedAttributes: readonly string[];
}

export interface ProjectionParams {
  readonly attributes: readonly string[];
  readonly excludedAttributes: readonly string[];
}

const splitList = (v: string | readonly string[] | undefined): string[] =>
  (typeof v === "string" ? v.split(",") : [...(v ?? [])]).map((s) => s.trim()).filter((s) => s !== "");

const intLike = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, "must be an integer")
    .transform(Number),
]);

const searchRequest = z.object({
  schemas: z.array(z.string()).optional(),
  filter: z.string().optional(),
  sortBy: z.string().optional(),
  sortOrder: z.string().optional(),
  startIndex: intLike.optional(),
  count: intLike.optional(),
  cursor: z.string().optional(),
  attributes: z.union([z.array(z.string()), z.string()]).optional(),
  excludedAttributes: z.union([z.array(z.string()), z.string()]).optional(),
});

export type RawListParams = z.input<typeof searchRequest>;

function finish(raw: z.output<typeof searchRequest>, maxResults: number, defaultCount: number): ListParams {
  const order = raw.sortOrder?.toLowerCase();
  if (order !== undefined && order !== "ascending" && order !== "descending") {
    throw badRequest("invalidValue", 'sortOrder must be "ascending" or "descending"');
  }
  if (raw.startIndex !== undefined && !Number.isSafeInteger(raw.startIndex))
    throw badRequest("invalidValue", "startIndex must be an integer");
  if (raw.count !== undefined && !Number.isSafeInteger(raw.count))
    throw badRequest("invalidValue", "count must be an integer");
  // A page is found either by index or after a cursor: both at once would contradict each other.
  if (raw.cursor !== undefined && raw.startIndex !== undefined && raw.startIndex > 1)
    throw badRequest("invalidValue", "startIndex and cursor cannot be combined: page by one or the other");
  const startIndex = Math.max(1, raw.startIndex ?? 1);
  const count = Math.min(maxResults, Math.max(0, raw.count ?? defaultCount));
  return {
    filter: raw.filter !== undefined && raw.filter.trim() !== "" ? raw.filter : undefined,
    sortBy: raw.sortBy !== undefined && raw.sortBy.trim() !== "" ? raw.sortBy.trim() : undefined,
    sortOrder: order === "descending" ? "descending" : "ascending",
    startIndex,
    count,
    ...(raw.cursor !== undefined ? { cursor: raw.cursor.trim() } : {}),
    attributes: splitList(raw.attributes),
    excludedAttributes: splitList(raw.excludedAttributes),
  };
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "request"}: ${issue.message}` : "invalid request";
}

/** Reads list parameters from a URL's query string; parameter names are matched case-insensitively. */
export function listParamsFromQuery(query: URLSearchParams, maxResults: number, defaultCount = maxResults): ListParams {
  const raw: Record<string, string> = {};
  const known = ["filter", "sortBy", "sortOrder", "startIndex", "count", "cursor", "attributes", "excludedAttributes"];
  for (const [key, value] of query) {
    const name = known.find((k) => k.toLowerCase() === key.toLowerCase());
    if (name && raw[name] === undefined) raw[name] = value;
  }
  const parsed = searchRequest.safeParse(raw);
  if (!parsed.success) throw badRequest("invalidValue", describe(parsed.error));
  return finish(parsed.data, maxResults, defaultCount);
}

/** Reads a SearchRequest body (RFC 7644 §3.4.3). */
export function listParamsFromBody(body: unknown, maxResults: number, defaultCount = maxResults): ListParams {
  const parsed = searchRequest.safeParse(body);
  if (!parsed.success) throw badRequest("invalidSyntax", `Invalid SearchRequest: ${describe(parsed.error)}`);
  if (parsed.data.schemas && !parsed.data.schemas.some((s) => s.toLowerCase() === URN.SearchRequest.toLowerCase())) {
    throw badRequest("invalidSyntax", `A SearchRequest must carry the schema ${URN.SearchRequest}`);
  }
  return finish(parsed.data, maxResults, defaultCount);
}

/** Reads `attributes`/`excludedAttributes` for single-resource responses. */
export function projectionFromQuery(query: URLSearchParams): ProjectionParams {
  let attributes: string[] = [];
  let excludedAttributes: string[] = [];
  for (const [key, value] of query) {
    const k = key.toLowerCase();
    if (k === "attributes") attributes = splitList(value);
    else if (k === "excludedattributes") excludedAttributes = splitList(value);
  }
  return { attributes, excludedAttributes };
}

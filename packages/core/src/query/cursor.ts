/**
 * RFC 9865 cursors. A cursor is a keyset position, not a server-side session: the sort value,
 * `created` and `id` of the last resource of the page, with what the next request must repeat (a
 * digest of the filter and sort, and the page size) and when it was issued, as base64url JSON. So
 * a page walk holds no state on the server, survives a restart and works on every instance
 * sharing a store, and a page starts with an index seek instead of an OFFSET.
 *
 * A client may read or forge one; a forged cursor only moves where a listing it may already
 * make starts, in its own tenant.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { badRequest } from "../errors.js";
import type { JsonValue } from "../json.js";
import type { KeysetPosition } from "../store/types.js";

/**
 * How long a cursor stays valid, in seconds: long enough for an IdP to walk 100,000 users a page at
 * a time, short enough that a stale bookmark is refused instead of resuming an old walk.
 */
export const CURSOR_TIMEOUT_SECONDS = 3600;

/** RFC 9865 §2: a cursor holds unreserved URI characters only (RFC 3986 §2.3); base64url does. */
const unreserved = /^[A-Za-z0-9._~-]*$/;

const position = z.object({
  /** Resource type, for a search at the base URL that walks several. */
  t: z.string().optional(),
  s: z.union([z.string(), z.number(), z.boolean()]).optional(),
  c: z.string(),
  i: z.string(),
});

const state = z.object({
  v: z.literal(1),
  /** Digest of the query: the same cursor under another filter or sort would skip or repeat. */
  q: z.string(),
  /** The page size of the walk. */
  n: z.number().int().nonnegative(),
  /** Issued at, epoch milliseconds. */
  at: z.number().int(),
  p: position,
  /** Present on a `previousCursor`: the page before the position, not after it. */
  b: z.literal(1).optional(),
});

/** What a cursor is bound to: every parameter that decides which resources come in which order. */
export interface CursorQuery {
  /** The endpoint's resource type, or `*` for a search at the base URL. */
  readonly scope: string;
  readonly filter: string | undefined;
  readonly sortBy: string | undefined;
  readonly sortOrder: string;
}

/** Where a walk stands: a keyset position, and for the base URL's search the type it is in. */
export interface CursorPosition extends KeysetPosition {
  readonly type?: string | undefined;
  /** A `previousCursor`'s position: the page ends before it. */
  readonly backwards?: boolean | undefined;
}

function digest(query: CursorQuery): string {
  const sort = query.sortBy === undefined ? null : [query.sortBy.toLowerCase(), query.sortOrder];
  const text = JSON.stringify([query.scope, query.filter?.trim() ?? null, sort]);
  return createHash("sha256").update(text).digest("base64url").slice(0, 16);
}

/**
 * Reads the `cursor` parameter: undefined for an empty one (the first page), else the position
 * the page starts after. Throws RFC 9865's 400 `invalidCursor` for a value this server did not
 * issue for this query, `expiredCursor` past {@link CURSOR_TIMEOUT_SECONDS}, and `invalidCount`
 * when the page size differs from the one the walk started with.
 */
export function openCursor(
  cursor: string,
  query: CursorQuery,
  count: number,
  now: number,
  timeoutSeconds = CURSOR_TIMEOUT_SECONDS,
): CursorPosition | undefined {
  if (cursor === "") return undefined;
  const invalid = () =>
    badRequest("invalidCursor", "The cursor is not one this server issued; send an empty cursor for the first page");
  if (!unreserved.test(cursor) || cursor.length > 4096) throw invalid();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  const parsed = state.safeParse(json);
  if (!parsed.success) throw invalid();
  const c = parsed.data;
  if (c.q !== digest(query))
    throw badRequest(
      "invalidCursor",
      "The cursor belongs to a query with another filter or sort; repeat the query's parameters or start again",
    );
  if (now - c.at > timeoutSeconds * 1000 || c.at - now > timeoutSeconds * 1000)
    throw badRequest(
      "expiredCursor",
      `The cursor has expired: request the next page within ${timeoutSeconds} seconds, or start again with an empty cursor`,
    );
  if (c.n !== count)
    throw badRequest("invalidCount", `count must be ${c.n}, the count of the query the cursor belongs to`);
  return {
    ...(c.b !== undefined ? { backwards: true } : {}),
    ...(c.p.t !== undefined ? { type: c.p.t } : {}),
    ...(c.p.s !== undefined ? { value: c.p.s } : {}),
    created: c.p.c,
    id: c.p.i,
  };
}

/** A cursor for the page after the resource at `at`, or before it when `at.backwards`. */
export function issueCursor(at: CursorPosition, query: CursorQuery, count: number, now: number): string {
  const value: JsonValue | undefined = at.value;
  const s = typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? { s: value } : {};
  const body: z.input<typeof state> = {
    v: 1,
    q: digest(query),
    n: count,
    at: now,
    p: { ...(at.type !== undefined ? { t: at.type } : {}), ...s, c: at.created, i: at.id },
    ...(at.backwards ? { b: 1 as const } : {}),
  };
  return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
}

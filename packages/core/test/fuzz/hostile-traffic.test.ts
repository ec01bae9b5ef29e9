/**
 * Generated hostile traffic against every endpoint. Each generated request is sent to a live server
 * (most straight into `server.fetch`, a share over a socket through the Node bridge) and must hold:
 *
 * - no 5xx (a 501 for /Me is the one allowed), and nothing logged as a failure;
 * - every 4xx/5xx is a SCIM Error body (`schemas` has the Error URN, `status` is the HTTP status);
 * - a refused request (4xx), a read and a /Bulk whose every operation failed change nothing: the
 *   tenant's users, groups, members, tombstones, policy records, audit trail and events are the
 *   same after as before; the other tenant never changes at all;
 * - no prototype is ever polluted.
 *
 * Fixed seed and at least 5,000 requests by default, within a time budget. Environment:
 * `FUZZ_SEED` (another seed), `FUZZ_RUNS` (e.g. 100000 for a nightly-style run), `FUZZ_BUDGET_MS`
 * (stop generating after this long; default 60 s, more for bigger runs), `FUZZ_MIN_RUNS` (how many
 * must have run; default min(FUZZ_RUNS, 5000)), `FUZZ_PATH` (replay one failure fast-check
 * reported), `FUZZ_SHRINK=1` (shrink a failure instead of stopping at it), `FUZZ_KEEP_GOING=1` (run
 * on past violations and list them all), `FUZZ_VERBOSE=1` (statistics and the slowest requests).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { URN, requestArb, type FuzzRequest, type Segment } from "./arbitraries.js";
import { NodeBridge, ORIGIN, OTHER_TENANT, World, type Reply, type Snapshot } from "./world.js";

const env = process.env;
const SEED = Number(env["FUZZ_SEED"] ?? 20_240_607);
const RUNS = Number(env["FUZZ_RUNS"] ?? 5_000);
const MIN_RUNS = Number(env["FUZZ_MIN_RUNS"] ?? Math.min(RUNS, 5_000));
const BUDGET_MS = Number(env["FUZZ_BUDGET_MS"] ?? Math.max(60_000, RUNS * 12));
const NODE_SHARE = 0.05;
/** Record every violation and fail at the end, instead of stopping at the first. */
const KEEP_GOING = env["FUZZ_KEEP_GOING"] === "1";
/** A fresh world every so many requests keeps snapshots small and the run's cost flat. */
const RESET_EVERY = 100;

// ---------------------------------------------------------------------------------------------
// Sending

/** encodeURIComponent that also encodes a lone surrogate (as the invalid UTF-8 a client could send). */
function encode(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0xd800 && c <= 0xdfff)
      out +=
        `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`.toUpperCase();
    else out += encodeURIComponent(ch);
  }
  return out;
}

interface Resolved {
  readonly via: FuzzRequest["via"];
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

function resolveRequest(world: World, snap: Snapshot, req: FuzzRequest): Resolved {
  const r = (s: string) => world.resolve(s, snap);
  const segment = (s: Segment) =>
    s.enc === "raw" ? r(s.text) : s.enc === "double" ? encode(encode(r(s.text))) : encode(r(s.text));
  const path = `/${[...req.base.map((b) => encode(r(b))), ...req.segments.map(segment)].join("/")}${req.trailingSlash ? "/" : ""}`;
  const pairs = req.query.pairs.map(([k, v]) => [r(k), r(v)] as const);
  const query =
    req.query.enc === "params"
      ? new URLSearchParams(
          pairs.map(([k, v]) => [k.replace(/[\ud800-\udfff]/g, "\ufffd"), v.replace(/[\ud800-\udfff]/g, "\ufffd")]),
        ).toString()
      : pairs.map(([k, v]) => (req.query.enc === "component" ? `${encode(k)}=${encode(v)}` : `${k}=${v}`)).join("&");
  const url = new URL(`${req.via === "node" ? "http://127.0.0.1" : ORIGIN}${path}${query === "" ? "" : `?${query}`}`);
  const headers: Record<string, string> = {};
  for (const [k, v] of req.headers) headers[k] = r(v);
  return { via: req.via, method: req.method, url, headers, body: req.body === undefined ? undefined : r(req.body) };
}

async function send(world: World, bridge: NodeBridge, req: Resolved): Promise<Reply> {
  if (req.via === "node") return bridge.send(req.method, `${req.url.pathname}${req.url.search}`, req.headers, req.body);
  // A Fetch request cannot carry a body with GET or HEAD.
  const bodyless = ["GET", "HEAD"].includes(req.method.toUpperCase());
  return world.send(
    new Request(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined && !bodyless ? { body: req.body } : {}),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Checking

const short = (text: string, max = 600) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

function describeRequest(req: Resolved): string {
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${k === "authorization" ? v.replace(/scimkit_\S+/g, "scimkit_…") : short(v, 120)}`)
    .join("; ");
  return `${req.via} ${req.method} ${short(`${req.url.pathname}${req.url.search}`, 400)} [${headers}]${req.body === undefined ? "" : ` body ${JSON.stringify(short(req.body, 800))}`}`;
}

/** Where two snapshot texts first differ, with some context. */
function difference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `…${a.slice(Math.max(0, i - 200), i + 200)}… became …${b.slice(Math.max(0, i - 200), i + 200)}…`;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Why `body` is not a SCIM Error for `status`, or null when it is one. */
function notScimError(body: unknown, status: number): string | null {
  if (!isRecord(body)) return "the body is not a JSON object";
  if (!Array.isArray(body["schemas"]) || !body["schemas"].includes(URN.Error)) return "schemas lacks the Error URN";
  if (body["status"] !== String(status)) return `status is ${JSON.stringify(body["status"])}, not "${status}"`;
  if (body["detail"] !== undefined && typeof body["detail"] !== "string") return "detail is not a string";
  return null;
}

const isMe = (url: URL) => url.pathname.split("/").some((s) => s.toLowerCase() === "me");
const isBulk = (url: URL) => /\/bulk\/?$/i.test(url.pathname);
const isSearch = (url: URL) => url.pathname.replace(/\/+$/, "").endsWith("/.search");
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The first broken promise about one answer, or null. */
function violation(req: Resolved, reply: Reply, changed: boolean, otherChanged: boolean): string | null {
  const { status } = reply;
  const method = req.method.toUpperCase();
  if (otherChanged) return "another tenant's data changed";
  // Node's own HTTP parser refuses oversized request heads before any handler runs.
  if (req.via === "node" && status === 431) return null;
  if (status >= 500 && !(status === 501 && isMe(req.url))) return `answered ${status}`;
  const body = parse(reply.body);
  const headless = method === "HEAD" && req.via === "node";
  if (status >= 400) {
    if (!headless) {
      const why = notScimError(body, status);
      if (why) return `a ${status} that is not a SCIM error (${why})`;
      if (!reply.headers["content-type"]?.startsWith("application/scim+json"))
        return `a ${status} with content-type ${reply.headers["content-type"]}`;
    }
    if (status === 401 && !reply.headers["www-authenticate"]) return "a 401 without WWW-Authenticate";
    if (status === 405 && !reply.headers["allow"]) return "a 405 without Allow";
    if (changed) return `refused with ${status} but the store changed (partial write)`;
    return null;
  }
  if ((status === 204 || status === 304) && reply.body !== "") return `a ${status} with a body`;
  if (reply.body !== "" && !headless && body === undefined) return `a ${status} whose body is not JSON`;
  if ((READS.has(method) || (isSearch(req.url) && method === "POST")) && changed)
    return `a read (${method}) changed the store`;
  if (
    status === 200 &&
    isRecord(body) &&
    Array.isArray(body["schemas"]) &&
    body["schemas"].includes("urn:ietf:params:scim:api:messages:2.0:BulkResponse")
  ) {
    const ops = Array.isArray(body["Operations"]) ? body["Operations"] : [];
    for (const op of ops) {
      const s = Number(isRecord(op) ? op["status"] : NaN);
      if (!Number.isInteger(s)) return `a bulk operation without a status: ${short(JSON.stringify(op))}`;
      if (s >= 500) return `a bulk operation answered ${s}: ${short(JSON.stringify(op))}`;
      if (s >= 400) {
        const why = notScimError((op as Record<string, unknown>)["response"], s);
        if (why)
          return `a failed bulk operation whose response is not a SCIM error (${why}): ${short(JSON.stringify(op))}`;
      }
    }
    if (changed && ops.every((op) => Number((op as Record<string, unknown>)["status"]) >= 400))
      return "a bulk request whose every operation failed changed the store";
  }
  return null;
}

const protoShape = () =>
  [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(","))
    .join("|");

// ---------------------------------------------------------------------------------------------

describe("hostile traffic", () => {
  let world: World;
  let bridge: NodeBridge;
  let otherTenant: string;
  const cleanPrototypes = protoShape();

  beforeAll(async () => {
    world = await World.create();
    otherTenant = (await world.snapshot(OTHER_TENANT)).text;
    bridge = await NodeBridge.start(() => world);
  });
  afterAll(async () => {
    await bridge?.close();
  });

  it(
    `answers ${RUNS} generated requests (seed ${SEED}) without 5xx, non-SCIM errors, partial writes or pollution`,
    async () => {
      let ran = 0;
      const stats = new Map<string, number>();
      const bump = (key: string) => stats.set(key, (stats.get(key) ?? 0) + 1);
      const started = Date.now();
      const cpu = process.cpuUsage();
      const slowest: [number, string][] = [];
      const violations: string[] = [];
      const timing = { send: 0, run: 0 };

      const property = fc.asyncProperty(requestArb(NODE_SHARE), async (generated) => {
        if (ran > 0 && ran % RESET_EVERY === 0) {
          world = await World.create();
          otherTenant = (await world.snapshot(OTHER_TENANT)).text;
        }
        const r0 = performance.now();
        const before = await world.snapshot();
        const req = resolveRequest(world, before, generated);
        const t0 = performance.now();
        const reply = await send(world, bridge, req);
        timing.send += performance.now() - t0;
        if (env["FUZZ_VERBOSE"] === "1")
          slowest.push([performance.now() - t0, `${reply.status} ${fc.stringify(generated)}`]);
        const after = await world.snapshot();
        const other = (await world.snapshot(OTHER_TENANT)).text;
        timing.run += performance.now() - r0;
        ran += 1;
        bump(`${generated.aim} ${Math.floor(reply.status / 100)}xx`);
        bump(`${reply.status}`);
        if (env["FUZZ_VERBOSE"] === "1" && reply.status >= 400)
          bump(
            `${generated.aim} ${reply.status} ${String(
              (parse(reply.body) as Record<string, unknown> | undefined)?.["detail"] ?? "",
            )
              .replace(/"[^"]*"/g, '"…"')
              .slice(0, 70)}`,
          );
        const polluted = ({} as Record<string, unknown>)["polluted"] !== undefined || protoShape() !== cleanPrototypes;
        const failed = after.failures.slice(before.failures.length);
        const broken =
          violation(req, reply, after.text !== before.text, other !== otherTenant) ??
          (failed.length > 0 && !isBulk(req.url) && (failed.length > 1 || failed[0] !== reply.status)
            ? `the audit trail recorded failures ${failed.join(", ")} for a ${reply.status}`
            : null) ??
          (world.logged.length > 0 ? `the server logged a failure: ${short(world.logged.join("\n"), 1500)}` : null) ??
          (polluted ? "a prototype was polluted" : null);
        if (broken) {
          const diff = after.text === before.text ? "" : `\n  store: ${difference(before.text, after.text)}`;
          const report = `${broken}\n  request: ${describeRequest(req)}\n  answer: ${reply.status} ${short(reply.body, 1500)}${diff}`;
          if (!KEEP_GOING) throw new Error(report);
          violations.push(report);
          world.logged.length = 0;
        }
      });

      await fc.assert(property, {
        seed: SEED,
        numRuns: RUNS,
        ...(env["FUZZ_PATH"] ? { path: env["FUZZ_PATH"] } : {}),
        endOnFailure: env["FUZZ_SHRINK"] !== "1",
        plugins: [fc.interruptAfterTimeLimit(BUDGET_MS)],
      });

      const used = process.cpuUsage(cpu);
      const seconds = `${((Date.now() - started) / 1000).toFixed(1)}s (${((used.user + used.system) / 1e6).toFixed(1)}s CPU)`;
      const statuses = [...stats.entries()].filter(([k]) => /^\d+$/.test(k)).sort(([a], [b]) => Number(a) - Number(b));
      console.info(
        `hostile traffic: ${ran} requests in ${seconds} (seed ${SEED}); statuses ${statuses.map(([k, v]) => `${k}×${v}`).join(" ")}`,
      );
      if (env["FUZZ_VERBOSE"] === "1") {
        slowest.sort((a, b) => b[0] - a[0]);
        console.info(
          `slowest:\n${slowest
            .slice(0, 25)
            .map(([ms, what]) => `${ms.toFixed(0)}ms ${what.slice(0, 300)}`)
            .join("\n")}`,
        );
        console.info(
          `time: ${(timing.send / 1000).toFixed(1)}s answering, ${((timing.run - timing.send) / 1000).toFixed(1)}s snapshotting`,
        );
        console.info(
          `time in the 100 slowest: ${slowest
            .slice(0, 100)
            .reduce((t, [ms]) => t + ms, 0)
            .toFixed(0)}ms of ${slowest.reduce((t, [ms]) => t + ms, 0).toFixed(0)}ms`,
        );
      }
      if (env["FUZZ_VERBOSE"] === "1")
        console.info(
          [...stats.entries()]
            .filter(([k]) => !/^\d+$/.test(k))
            .sort()
            .map(([k, v]) => `${k}: ${v}`)
            .join("\n"),
        );
      if (violations.length > 0) expect.fail(`${violations.length} violations:\n${violations.join("\n\n")}`);
      if (!env["FUZZ_PATH"])
        expect(ran, `only ${ran} requests ran within ${BUDGET_MS} ms`).toBeGreaterThanOrEqual(MIN_RUNS);
    },
    BUDGET_MS + 60_000,
  );
});

/**
 * How an IdP sends one SCIM request: to any instance behind the load balancer, retried on a network
 * error, a 5xx or a 429 (after `Retry-After` when given, else with exponential backoff) until a
 * retry budget runs out. Every attempt is recorded: its instance, its times and its answer.
 */
import { randomUUID } from "node:crypto";
import type { Rng } from "./rng.js";
import { SCIM_BASE } from "./protocol.js";

export interface Attempt {
  readonly requestId: string;
  readonly app: number;
  readonly sentAt: number;
  readonly doneAt: number;
  /** null: no answer (connection refused or reset, or the client's timeout). */
  readonly status: number | null;
  readonly label: string;
}

export type Outcome =
  | { readonly kind: "answered"; readonly status: number; readonly body: unknown; readonly attempts: Attempt[] }
  /** The retry budget ran out on network errors, 5xx or 429: the write may or may not have committed. */
  | { readonly kind: "lost"; readonly attempts: Attempt[] };

export interface Target {
  readonly index: number;
  readonly port: number;
  readonly up: boolean;
}

export interface ClientOptions {
  readonly targets: () => readonly Target[];
  readonly rng: Rng;
  readonly record: (attempt: Attempt) => void;
  /** How long one logical request keeps retrying. */
  readonly retryBudgetMs: number;
  /** Longer than the server's request deadline, so an attempt given up on cannot commit later. */
  readonly attemptTimeoutMs: number;
  /**
   * Share of write answers dropped after they arrived, as a proxy or a network cut would: the write
   * committed, the IdP never heard, and it sends the request again.
   */
  readonly dropAnswers: number;
}

/** A status after which the IdP sends the same request again. */
export const retriable = (status: number | null) => status === null || status === 429 || status >= 500;

export function createClient(options: ClientOptions) {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return async function send(
    token: string,
    method: string,
    path: string,
    body: unknown,
    label: string,
  ): Promise<Outcome> {
    const attempts: Attempt[] = [];
    const started = Date.now();
    for (let n = 0; ; n++) {
      // A load balancer with health checks routes around an instance it saw go down, most of the time.
      const all = options.targets();
      const up = all.filter((t) => t.up);
      const target = options.rng.pick(up.length > 0 && !options.rng.chance(0.05) ? up : all);
      const requestId = randomUUID();
      const sentAt = Date.now();
      let status: number | null = null;
      let parsed: unknown = null;
      let retryAfter: number | null = null;
      try {
        const res = await fetch(`http://127.0.0.1:${target.port}${SCIM_BASE}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/scim+json",
            "x-request-id": requestId,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(options.attemptTimeoutMs),
        });
        const text = await res.text();
        status = res.status;
        parsed = text === "" ? null : JSON.parse(text);
        const header = Number(res.headers.get("retry-after"));
        retryAfter = Number.isFinite(header) && header > 0 ? header : null;
      } catch {
        status = null;
      }
      let shownLabel = label;
      if (status !== null && method !== "GET" && options.rng.chance(options.dropAnswers)) {
        status = null;
        shownLabel = `${label} (answer dropped)`;
      }
      const attempt: Attempt = { requestId, app: target.index, sentAt, doneAt: Date.now(), status, label: shownLabel };
      attempts.push(attempt);
      options.record(attempt);
      if (!retriable(status)) return { kind: "answered", status: status ?? 0, body: parsed, attempts };
      if (Date.now() - started > options.retryBudgetMs) return { kind: "lost", attempts };
      // Retry-After is in seconds; honoured as given, but capped so a soak keeps moving.
      const wait = retryAfter !== null ? Math.min(retryAfter * 1000, 5_000) : Math.min(100 * 2 ** n, 3_000);
      await sleep(wait * (0.5 + options.rng.next() / 2));
    }
  };
}

export type Send = ReturnType<typeof createClient>;

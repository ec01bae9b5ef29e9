/**
 * `createWebhookDelivery`: the event feed delivered to HTTPS endpoints. Each endpoint is a consumer
 * group of its own (`webhooks.<id>`), so its cursors, retries and parked events are the feed's:
 * shared by every process running the delivery, ordered per tenant, at least once. A delivery is a
 * POST of `{ type, timestamp, data: event }` signed per Standard Webhooks with every active secret
 * of the endpoint; a 2xx answer acknowledges it, anything else (a redirect included) is retried
 * with exponential backoff and, after `maxTries`, parked. An endpoint failing without a success for
 * `disableAfter.failures` tries over at least `disableAfter.ms` (or answering 410 Gone) is
 * disabled: its consumer stops, its cursors stay, and `enable(id)` resumes where it stopped.
 *
 * The delivery log is an in-memory ring per process (`log()`); `onAttempt` hands each attempt to
 * the host to keep. Neither holds a body, a header or a secret.
 */
import type { ConsumeOptions, FeedConsumer, FeedHandler, ScimEvent, ScimEventType } from "@scimkit/core";
import { z } from "zod";
import { SECRET_PATTERN, signWebhook } from "./signing.js";

/** An endpoint as the host configures it. */
export interface WebhookEndpoint {
  /** Letters, digits, `-` and `_`, at most 50: names its consumer group `webhooks.<id>`. */
  readonly id: string;
  /** An `https:` URL (`http:` only for a loopback host: 127.0.0.1, ::1, localhost). */
  readonly url: string;
  /**
   * The signing secrets (`whsec_…`), all used at once: list the new one with the old during a
   * rotation the host manages itself, or call {@link WebhookDelivery.rotateSecret}.
   */
  readonly secrets: readonly string[];
  /** Only these tenants' events. @default every tenant */
  readonly tenants?: readonly string[] | undefined;
  /** Only these event types. @default every type */
  readonly types?: readonly ScimEventType[] | undefined;
}

export type DisabledReason = "gone" | "failing" | "manual";

/** One delivery attempt, as the log keeps it. */
export interface DeliveryAttempt {
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly tenantId: string;
  readonly seq: number;
  /** 1 on the first try of this event for this endpoint. */
  readonly attempt: number;
  readonly at: string;
  readonly ok: boolean;
  /** The HTTP status, or null when no answer came (refused, timed out). */
  readonly status: number | null;
  /** Why it failed: `http_<status>`, `timeout`, or the network error's code; null when ok. */
  readonly error: string | null;
  readonly durationMs: number;
}

/** An endpoint's state in this process. */
export interface EndpointStatus {
  readonly id: string;
  readonly url: string;
  readonly state: "active" | "disabled";
  /** Why it was disabled: `gone` (it answered 410), `failing` (sustained failure) or `manual` (`disable()`). */
  readonly disabledReason: DisabledReason | null;
  readonly disabledAt: string | null;
  /** Failed attempts since the last success. */
  readonly failures: number;
  /** When the current run of failures began. */
  readonly failingSince: string | null;
  readonly lastSuccessAt: string | null;
  /** How many secrets sign its deliveries now. */
  readonly activeSecrets: number;
}

export interface WebhookDeliveryOptions {
  readonly endpoints: readonly WebhookEndpoint[];
  /** Tries of one event per endpoint before it is parked (the defaults span about 14 hours). @default 10 */
  readonly maxTries?: number | undefined;
  /** Waits between tries: `initialMs × factor^(try − 1)`, at most `maxMs`. @default { initialMs: 5000, factor: 4, maxMs: 14400000 } (5 s, 20 s, 80 s, … 4 h) */
  readonly backoff?:
    | {
        readonly initialMs?: number | undefined;
        readonly factor?: number | undefined;
        readonly maxMs?: number | undefined;
      }
    | undefined;
  /** How long one POST may take, in milliseconds. @default 10000 */
  readonly timeoutMs?: number | undefined;
  /**
   * Disables an endpoint after this many failed attempts in a row that span at least `ms` (by
   * default before the first of its events is parked).
   * @default { failures: 20, ms: 43200000 } (12 hours)
   */
  readonly disableAfter?: { readonly failures?: number | undefined; readonly ms?: number | undefined } | undefined;
  /** Attempts the in-memory log keeps (the oldest go first). @default 1000 */
  readonly logSize?: number | undefined;
  /** Tenants delivered at once per endpoint. @default 4 */
  readonly concurrency?: number | undefined;
  /** How often an idle endpoint looks for events, in milliseconds. @default 1000 */
  readonly pollMs?: number | undefined;
  /** Hears every attempt, for a host that keeps its own delivery log. */
  readonly onAttempt?: ((attempt: DeliveryAttempt) => void) | undefined;
  /** Hears an endpoint being disabled. */
  readonly onDisabled?: ((endpoint: EndpointStatus) => void) | undefined;
  /** The fetch to POST with. @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined;
  /** The clock: signature timestamps, the log, secret expiry. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
}

/** A running delivery. */
export interface WebhookDelivery {
  /** Every endpoint's state in this process. */
  endpoints(): EndpointStatus[];
  /** The newest attempts first, of one endpoint or all. */
  log(endpointId?: string): DeliveryAttempt[];
  /**
   * Signs with `secret` from now on, and with the current secrets until `overlapMs` (a day by
   * default) from now: receivers move to the new secret meanwhile.
   */
  rotateSecret(endpointId: string, secret: string, options?: { readonly overlapMs?: number | undefined }): void;
  /** Resumes a disabled endpoint from where its cursors stopped. */
  enable(endpointId: string): void;
  /** Stops delivering to an endpoint (its cursors stay, so `enable` resumes). */
  disable(endpointId: string): Promise<void>;
  /** Stops every endpoint after the deliveries in flight. */
  stop(): Promise<void>;
}

/** What the delivery needs of a scimkit server: its event feed. */
export interface FeedSource {
  readonly events: { consume(handler: FeedHandler, options: ConsumeOptions): FeedConsumer };
}

/** A failed delivery: `code` is what a parked event records (`http_503`, `timeout`, `ECONNREFUSED`, …). */
export class WebhookDeliveryError extends Error {
  override readonly name = "WebhookDeliveryError";
  constructor(
    readonly code: string,
    readonly status: number | null,
  ) {
    super(`webhook delivery failed: ${code}`);
  }
}

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", "must be a function");

const endpointSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/, "must be letters, digits, '-' or '_', at most 50"),
    url: z.url().refine((u) => {
      const url = new URL(u);
      return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
    }, "must be https (http only for a loopback host)"),
    secrets: z.array(z.string().regex(SECRET_PATTERN, "must be a whsec_ secret")).min(1),
    tenants: z.array(z.string()).optional(),
    types: z.array(z.string()).optional(),
  })
  .strict();

const optionsSchema = z
  .object({
    endpoints: z.array(endpointSchema),
    maxTries: z.number().int().min(1).optional(),
    backoff: z
      .object({
        initialMs: z.number().int().min(0).optional(),
        factor: z.number().min(1).optional(),
        maxMs: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    timeoutMs: z.number().int().positive().optional(),
    disableAfter: z
      .object({ failures: z.number().int().positive().optional(), ms: z.number().int().min(0).optional() })
      .strict()
      .optional(),
    logSize: z.number().int().min(0).optional(),
    concurrency: z.number().int().positive().optional(),
    pollMs: z.number().int().positive().optional(),
    onAttempt: fn.optional(),
    onDisabled: fn.optional(),
    fetch: fn.optional(),
    now: fn.optional(),
  })
  .strict()
  .refine((o) => new Set(o.endpoints.map((e) => e.id)).size === o.endpoints.length, "endpoint ids must be unique");

interface Secret {
  readonly value: string;
  /** Epoch ms after which it no longer signs; null while current. */
  expiresAt: number | null;
}

interface Endpoint {
  readonly config: WebhookEndpoint;
  secrets: Secret[];
  consumer: FeedConsumer | null;
  disabled: { reason: DisabledReason; at: Date } | null;
  failures: number;
  failingSince: Date | null;
  lastSuccess: Date | null;
}

/** What a network error says, without its message. */
function networkCode(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "timeout";
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  const code = cause !== null && typeof cause === "object" ? (cause as { code?: unknown }).code : undefined;
  return typeof code === "string" && /^[A-Z0-9_]{1,40}$/.test(code) ? code : "network";
}

/** Starts delivering `scim`'s events to `options.endpoints`. */
export function createWebhookDelivery(scim: FeedSource, options: WebhookDeliveryOptions): WebhookDelivery {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success)
    throw new TypeError(
      `createWebhookDelivery: ${parsed.error.issues.map((i) => `${i.path.join(".") || "options"} ${i.message}`).join("; ")}`,
    );
  const now = options.now ?? (() => new Date());
  const post = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const logSize = options.logSize ?? 1000;
  const failuresToDisable = options.disableAfter?.failures ?? 20;
  const msToDisable = options.disableAfter?.ms ?? 43_200_000;
  const attempts: DeliveryAttempt[] = [];
  const endpoints = new Map<string, Endpoint>();
  let stopped = false;

  const status = (ep: Endpoint): EndpointStatus => ({
    id: ep.config.id,
    url: ep.config.url,
    state: ep.disabled ? "disabled" : "active",
    disabledReason: ep.disabled?.reason ?? null,
    disabledAt: ep.disabled?.at.toISOString() ?? null,
    failures: ep.failures,
    failingSince: ep.failingSince?.toISOString() ?? null,
    lastSuccessAt: ep.lastSuccess?.toISOString() ?? null,
    activeSecrets: active(ep).length,
  });
  const active = (ep: Endpoint) => {
    const t = now().getTime();
    ep.secrets = ep.secrets.filter((s) => s.expiresAt === null || s.expiresAt > t);
    return ep.secrets.map((s) => s.value);
  };
  const record = (a: DeliveryAttempt) => {
    if (logSize > 0) {
      attempts.push(a);
      if (attempts.length > logSize) attempts.splice(0, attempts.length - logSize);
    }
    options.onAttempt?.(a);
  };
  const disable = (ep: Endpoint, reason: DisabledReason) => {
    if (ep.disabled) return;
    ep.disabled = { reason, at: now() };
    const consumer = ep.consumer;
    ep.consumer = null;
    // Stopping waits for the handler in flight, which is the caller: do not wait here.
    void consumer?.stop();
    options.onDisabled?.(status(ep));
  };

  const handler =
    (ep: Endpoint): FeedHandler =>
    async (event: ScimEvent, ctx) => {
      if (ep.disabled) throw new WebhookDeliveryError("disabled", null);
      const { tenants, types } = ep.config;
      if (tenants && !tenants.includes(event.tenantId)) return;
      if (types && !types.includes(event.type)) return;
      const body = JSON.stringify({ type: event.type, timestamp: event.at, data: event });
      const sentAt = now();
      const headers = signWebhook(active(ep), event.id, sentAt, body);
      const started = performance.now();
      let res: Response | undefined;
      let failure: WebhookDeliveryError | null = null;
      try {
        res = await post(ep.config.url, {
          method: "POST",
          headers: { "content-type": "application/json", "user-agent": "scimkit-webhooks", ...headers },
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutMs),
        });
        // The answer's body is not needed: let the connection go.
        await res.body?.cancel().catch(() => undefined);
        if (res.status < 200 || res.status > 299) failure = new WebhookDeliveryError(`http_${res.status}`, res.status);
      } catch (error) {
        failure = new WebhookDeliveryError(networkCode(error), null);
      }
      record({
        endpointId: ep.config.id,
        eventId: event.id,
        eventType: event.type,
        tenantId: event.tenantId,
        seq: event.seq,
        attempt: ctx.attempt,
        at: sentAt.toISOString(),
        ok: failure === null,
        status: res?.status ?? null,
        error: failure?.code ?? null,
        durationMs: Math.round(performance.now() - started),
      });
      if (!failure) {
        ep.failures = 0;
        ep.failingSince = null;
        ep.lastSuccess = now();
        return;
      }
      ep.failures += 1;
      ep.failingSince ??= sentAt;
      if (failure.status === 410) disable(ep, "gone");
      else if (ep.failures >= failuresToDisable && now().getTime() - ep.failingSince.getTime() >= msToDisable)
        disable(ep, "failing");
      throw failure;
    };

  const start = (ep: Endpoint) => {
    ep.consumer = scim.events.consume(handler(ep), {
      group: `webhooks.${ep.config.id}`,
      maxTries: options.maxTries ?? 10,
      backoff: {
        initialMs: options.backoff?.initialMs ?? 5000,
        factor: options.backoff?.factor ?? 4,
        maxMs: options.backoff?.maxMs ?? 14_400_000,
      },
      // A POST must finish well within the lease, which is renewed between events.
      leaseMs: Math.max(30_000, timeoutMs * 3),
      concurrency: options.concurrency ?? 4,
      pollMs: options.pollMs ?? 1000,
      batchSize: 20,
    });
  };

  for (const config of options.endpoints) {
    const ep: Endpoint = {
      config,
      secrets: config.secrets.map((value) => ({ value, expiresAt: null })),
      consumer: null,
      disabled: null,
      failures: 0,
      failingSince: null,
      lastSuccess: null,
    };
    endpoints.set(config.id, ep);
    start(ep);
  }

  const find = (id: string): Endpoint => {
    const ep = endpoints.get(id);
    if (!ep) throw new TypeError(`no webhook endpoint "${id}"`);
    return ep;
  };

  return {
    endpoints: () => [...endpoints.values()].map(status),
    log: (endpointId) => attempts.filter((a) => endpointId === undefined || a.endpointId === endpointId).reverse(),
    rotateSecret(endpointId, secret, rotation = {}) {
      if (!SECRET_PATTERN.test(secret)) throw new TypeError("rotateSecret: the secret must be a whsec_ secret");
      const ep = find(endpointId);
      const until = now().getTime() + (rotation.overlapMs ?? 86_400_000);
      for (const s of ep.secrets) s.expiresAt = Math.min(s.expiresAt ?? until, until);
      ep.secrets = [{ value: secret, expiresAt: null }, ...ep.secrets.filter((s) => s.value !== secret)];
    },
    enable(endpointId) {
      const ep = find(endpointId);
      if (!ep.disabled || stopped) return;
      ep.disabled = null;
      ep.failures = 0;
      ep.failingSince = null;
      start(ep);
    },
    async disable(endpointId) {
      const ep = find(endpointId);
      const consumer = ep.consumer;
      ep.consumer = null;
      ep.disabled ??= { reason: "manual", at: now() };
      await consumer?.stop();
    },
    async stop() {
      stopped = true;
      await Promise.all([...endpoints.values()].map((ep) => ep.consumer?.stop()));
    },
  };
}

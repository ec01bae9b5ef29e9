/**
 * Tracing without a dependency: the host hands in an OpenTelemetry tracer
 * (`trace.getTracer("scimkit")` from `@opentelemetry/api`) and scimkit opens one span per request,
 * one per unit of work under it, and one per store call under that. Without a tracer nothing is
 * wrapped and nothing costs. Attributes name the tenant, directory, IdP profile, operation and
 * outcome — never a token, a header or an attribute value.
 */
import type { StoreTransaction } from "../store/types.js";

export type SpanAttribute = string | number | boolean;

/** The part of an OpenTelemetry `Span` scimkit uses. */
export interface SpanLike {
  setAttribute(key: string, value: SpanAttribute): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

/** The part of an OpenTelemetry `Tracer` scimkit uses: an OpenTelemetry tracer is one. */
export interface TracerLike {
  startActiveSpan<F extends (span: SpanLike) => unknown>(name: string, fn: F): ReturnType<F>;
}

/** OpenTelemetry's status codes: 1 OK, 2 ERROR. */
const OK = 1;
const ERROR = 2;

/** Runs `work` in a span named `name`; the span ends when the work settles, with its outcome. */
export function inSpan<T>(
  tracer: TracerLike | undefined,
  name: string,
  attributes: Record<string, SpanAttribute>,
  work: (span: SpanLike | undefined) => Promise<T>,
): Promise<T> {
  if (!tracer) return work(undefined);
  return tracer.startActiveSpan(name, async (span: SpanLike) => {
    for (const [k, v] of Object.entries(attributes)) span.setAttribute(k, v);
    try {
      const out = await work(span);
      span.setStatus({ code: OK });
      return out;
    } catch (error) {
      // The error's name only: a message may hold anything.
      span.setStatus({ code: ERROR, message: error instanceof Error ? error.name : "error" });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The unit of work's transaction, each call in a span of its own. */
export function tracedTransaction(tracer: TracerLike | undefined, tx: StoreTransaction): StoreTransaction {
  if (!tracer) return tx;
  return new Proxy(tx, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function" || typeof key !== "string") return value;
      return (...args: unknown[]) =>
        inSpan(tracer, `scim.store.${key}`, { "scim.store.operation": key }, () =>
          Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args)),
        );
    },
  });
}

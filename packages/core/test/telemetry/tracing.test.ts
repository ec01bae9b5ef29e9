import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harness, user } from "../support.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => void context.setGlobalContextManager(contextManager.enable()));
afterAll(() => {
  context.disable();
  return provider.shutdown();
});

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe("OpenTelemetry spans", () => {
  it("make one tree per request — request, unit of work, store calls — with tenant, directory, profile, operation and outcome, and no secret", async () => {
    const h = await harness({ tenantId: "t-otel", profile: "okta", tracer: provider.getTracer("scimkit") });
    exporter.reset();
    const res = await h.call("POST", "/Users", user("ada@example.com", { password: "s3cret-Passw0rd!" }), {
      "x-request-id": "req-42",
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-request-id")).toBe("req-42");
    const spans = exporter.getFinishedSpans();
    const roots = spans.filter((s) => parentOf(s) === undefined);
    expect(roots.map((s) => s.name)).toEqual(["scim.request"]);
    const [root] = roots;
    expect(root?.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.response.status_code": 201,
      "scim.tenant_id": "t-otel",
      "scim.directory_id": h.directoryId,
      "scim.idp_profile": "okta",
      "scim.operation": "POST collection",
      "scim.outcome": "success",
    });
    const units = spans.filter((s) => s.name === "scim.unit_of_work" && parentOf(s) === root?.spanContext().spanId);
    expect(units.length).toBeGreaterThanOrEqual(1);
    const storeCalls = spans.filter(
      (s) => s.name.startsWith("scim.store.") && units.some((u) => parentOf(s) === u.spanContext().spanId),
    );
    expect(storeCalls.map((s) => s.name)).toEqual(
      expect.arrayContaining(["scim.store.createResource", "scim.store.appendLogs"]),
    );
    // Every span is in this request's one trace.
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    const everything = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.status]));
    for (const secret of [h.token, "s3cret-Passw0rd!", "ada@example.com"]) expect(everything).not.toContain(secret);
    expect((await h.server.audit("t-otel")).at(-1)?.requestId).toBe("req-42");
  });

  it("marks a refused request's span as a failure", async () => {
    const h = await harness({ tenantId: "t-otel2", tracer: provider.getTracer("scimkit") });
    exporter.reset();
    expect((await h.call("GET", "/Users/nope")).status).toBe(404);
    const root = exporter.getFinishedSpans().find((s) => s.name === "scim.request");
    expect(root?.attributes).toMatchObject({ "http.response.status_code": 404, "scim.outcome": "failure" });
  });

  it("costs nothing without a tracer: no span is started", async () => {
    exporter.reset();
    const h = await harness({ tenantId: "t-off" });
    await h.call("GET", "/Users");
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});

import { trace } from "@opentelemetry/api";
import { expect, it } from "vitest";
import type { TracerLike } from "./tracing.js";

it("takes an OpenTelemetry tracer as it is", () => {
  // A type check as much as a test: this line fails to compile if the shapes drift apart.
  const tracer: TracerLike = trace.getTracer("scimkit");
  expect(typeof tracer.startActiveSpan).toBe("function");
});

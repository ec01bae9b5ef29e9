import { describe, expect, it } from "vitest";
import type { ScimStore } from "../store/types.js";
import { HealthTracker } from "./health.js";

/** A store that knows no directory: the tracker then works from this instance's memory alone. */
const noDirectories: ScimStore = {
  name: "none",
  capabilities: {},
  transaction: () => Promise.reject(new Error("not expected")),
  findRecordByKey: () => Promise.resolve(null),
};

describe("HealthTracker", () => {
  it("counts statuses and tolerances over the window and forgets the minutes that left it", async () => {
    let now = Date.parse("2026-01-01T10:00:30Z");
    const health = new HealthTracker({
      store: noDirectories,
      now: () => new Date(now),
      logger: { error: () => {} },
      windowMinutes: 5,
    });
    health.record("d", 200, undefined, ["okta-active-as-string"]);
    health.record("d", 404, "not found", ["okta-active-as-string", "entra-value-filter"]);
    now += 3 * 60_000;
    health.record("d", 200);
    expect(await health.get("d")).toMatchObject({
      requests: 3,
      failures: 1,
      byStatus: { "200": 2, "404": 1 },
      tolerances: { "okta-active-as-string": 2, "entra-value-filter": 1 },
      lastError: { status: 404, detail: "not found" },
    });
    // Five minutes after the first requests they are out of the window; the later one is not.
    now += 2 * 60_000;
    expect(await health.get("d")).toMatchObject({ requests: 1, failures: 0, byStatus: { "200": 1 }, tolerances: {} });
    health.record("d", 201);
    expect((await health.get("d")).byStatus).toEqual({ "200": 1, "201": 1 });
    expect(await health.get("other")).toMatchObject({ requests: 0, lastRequestAt: null, byStatus: {}, tolerances: {} });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BARE_PATH } from "../child/bare.js";
import { runLoad, settle } from "./load.js";
import { startChild, type RunningServer } from "./spawn.js";

describe("a server child under load", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startChild({ kind: "bare", users: 0, outsiders: 0, seedBudgetMs: 1_000 }, 60_000, () => {}, true);
  }, 60_000);
  afterAll(() => server.stop());

  it("listens on 127.0.0.1 and reports its memory after seeding", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.memory.rssBytes).toBeGreaterThan(server.memory.heapUsedBytes);
  });

  it("is measured by autocannon: requests, latency percentiles and status counts", async () => {
    let sent = 0;
    const result = await runLoad(
      server.url,
      "",
      () => (sent++ % 2 === 0 ? { method: "GET", path: BARE_PATH } : { method: "GET", path: "/missing" }),
      {
        seconds: 1,
        connections: 2,
        timeoutSeconds: 5,
      },
    );
    expect(result.requests).toBeGreaterThan(10);
    expect(result.reqPerSec).toBeGreaterThan(10);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    // Every second request goes to a path the ceiling does not serve.
    expect(result.non2xx).toBeGreaterThan(result.requests / 3);
    expect(result.statuses["404"]).toBe(result.non2xx);
    await settle(server.url, 5_000);
  }, 20_000);

  it("refuses to send load anywhere but 127.0.0.1", async () => {
    await expect(
      runLoad("http://10.0.0.1:80", "", () => ({ method: "GET", path: "/" }), {
        seconds: 1,
        connections: 1,
        timeoutSeconds: 1,
      }),
    ).rejects.toThrow(/127\.0\.0\.1/);
  });
});

describe("a server child that cannot start", () => {
  it("reports why instead of hanging", async () => {
    await expect(
      startChild({ kind: "scimkit-pg", users: 1, outsiders: 0, seedBudgetMs: 1_000 }, 60_000, () => {}, true),
    ).rejects.toThrow(/SCIMKIT_TEST_PG_URL/);
  }, 60_000);
});

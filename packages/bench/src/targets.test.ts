import { describe, expect, it } from "vitest";
import { checkTargets } from "./targets.js";
import { ceilingAt, everyScenario, results } from "./test-results.js";

const memoryRun = (rssMiB: number) => ({
  server: "scimkit-memory" as const,
  size: 100_000,
  memory: { rssBytes: rssMiB * 2 ** 20, heapUsedBytes: 0, externalBytes: 0 },
  profiles: [],
});

describe("checkTargets", () => {
  it("meets every ratio target when the memory store runs at the ceiling", () => {
    const r = results([ceilingAt(10_000, 1000), ...everyScenario("scimkit-memory", 10_000, () => 1000)], [], [10_000]);
    const checks = checkTargets(r);
    expect(checks.filter((c) => c.kind === "ceiling-ratio")).toHaveLength(9);
    expect(checks.every((c) => c.met)).toBe(true);
  });

  it("misses a ratio target just under its threshold and says by how much", () => {
    const r = results(
      [ceilingAt(10_000, 1000), ...everyScenario("scimkit-memory", 10_000, (id) => (id === "get-user" ? 799 : 1000))],
      [],
      [10_000],
    );
    const missed = checkTargets(r).filter((c) => !c.met);
    expect(missed).toEqual([
      {
        kind: "ceiling-ratio",
        subject: "memory · GET /Users/{id} · N=10,000",
        want: "≥ 0.80 × ceiling",
        got: "0.80 × ceiling",
        met: false,
      },
    ]);
  });

  it("flags a scenario slower than SCIMMY", () => {
    const r = results(
      [
        ...everyScenario("scimkit-memory", 10_000, () => 100),
        ...everyScenario("scimmy", 10_000, (id) => (id === "post-user" ? 150 : 10)),
      ],
      [],
      [10_000],
    );
    const missed = checkTargets(r).filter((c) => c.kind === "vs-scimmy" && !c.met);
    expect(missed.map((c) => c.subject)).toEqual(["memory · POST /Users · N=10,000"]);
  });

  it("checks flatness in N for lookups and membership only, per store, allowing 10 %", () => {
    const r = results([
      ...everyScenario("scimkit-pglite", 10_000, () => 100),
      // 9 % slower is within tolerance; 11 % is not; POST may fall as it is not a lookup.
      ...everyScenario("scimkit-pglite", 100_000, (id) =>
        id === "get-user" ? 91 : id === "filter-eq" ? 89 : id === "post-user" ? 10 : 100,
      ),
    ]);
    const flat = checkTargets(r).filter((c) => c.kind === "flat-in-n");
    expect(flat).toHaveLength(7);
    expect(flat.filter((c) => !c.met).map((c) => c.subject)).toEqual(['scimkit · PGlite · filter userName eq "…"']);
    expect(flat.find((c) => c.subject.includes("GET /Users"))?.got).toBe("-9 %");
  });

  it("reads each scenario against the ceiling sampled around it, and flatness in N as shares of those", () => {
    const around = (before: number, after: number) => ({ ceilingPair: { before, after } });
    const r = results([
      ceilingAt(10_000, 1000),
      ceilingAt(100_000, 1000),
      // At N = 10,000 the machine was fast (ceiling 2,000), at 100,000 slow (ceiling 1,000).
      ...everyScenario("scimkit-memory", 10_000, () => 1700).map((m) => ({ ...m, ...around(1900, 2100) })),
      ...everyScenario("scimkit-memory", 100_000, () => 850).map((m) => ({ ...m, ...around(1000, 1000) })),
    ]);
    const checks = checkTargets(r);
    expect(checks.find((c) => c.subject === "memory · GET /Users/{id} · N=10,000")).toMatchObject({
      got: "0.85 × ceiling",
      met: true,
    });
    expect(checks.find((c) => c.subject === "memory · GET /Users/{id} · N=100,000")).toMatchObject({
      got: "0.85 × ceiling",
      met: true,
    });
    // Half the req/s at N = 100,000, but the same share of a ceiling that also halved: flat.
    const flat = checks.filter((c) => c.kind === "flat-in-n");
    expect(flat.length).toBeGreaterThan(0);
    expect(flat.every((c) => c.met && c.got === "+0 %")).toBe(true);
  });

  it("holds the PostgreSQL server to its shares of the ceiling, lookups and writes apart", () => {
    const r = results(
      [
        ceilingAt(10_000, 1000),
        ...everyScenario("scimkit-pg", 10_000, (id) => (id === "get-user" ? 499 : id === "post-user" ? 300 : 600)),
      ],
      [],
      [10_000],
    );
    const pg = checkTargets(r).filter((c) => c.subject.startsWith("PostgreSQL"));
    expect(pg.map((c) => c.subject.split(" · ")[1])).toEqual([
      "GET /Users/{id}",
      'filter userName eq "…"',
      "random page of 100",
      "page of 100 by cursor",
      "PATCH active false/true (Okta, no path)",
      "PATCH big group: add / remove 1 member",
      "POST /Users",
    ]);
    expect(pg.filter((c) => !c.met).map((c) => [c.subject, c.got])).toEqual([
      ["PostgreSQL · GET /Users/{id} · N=10,000", "0.50 × ceiling"],
    ]);
    expect(pg.find((c) => c.subject.includes("POST"))).toMatchObject({ want: "≥ 0.30 × ceiling", met: true });
  });

  it("holds the durable embedded store's writes to 0.8 of the memory store's at the same N", () => {
    const r = results(
      [
        ...everyScenario("scimkit-memory", 10_000, () => 1000),
        ...everyScenario("scimkit-durable", 10_000, (id) => (id === "post-user" ? 790 : 800)),
      ],
      [],
      [10_000],
    );
    const durable = checkTargets(r).filter((c) => c.kind === "vs-memory");
    expect(durable.map((c) => [c.subject, c.got, c.met])).toEqual([
      ["durable embedded · PATCH active false/true (Okta, no path) · N=10,000", "0.80 × memory", true],
      ["durable embedded · PATCH big group: add / remove 1 member · N=10,000", "0.80 × memory", true],
      ["durable embedded · POST /Users · N=10,000", "0.79 × memory", false],
    ]);
  });

  it("holds the memory store to 150 MiB RSS at 100,000 users", () => {
    expect(checkTargets(results([], [memoryRun(150)])).map((c) => [c.kind, c.met])).toEqual([["rss", true]]);
    expect(checkTargets(results([], [memoryRun(151)]))[0]).toMatchObject({ kind: "rss", got: "151 MiB", met: false });
  });
});

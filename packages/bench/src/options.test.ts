import { describe, expect, it } from "vitest";
import { parseOptions } from "./options.js";

const parse = (args: string[], env: Record<string, string> = {}) => parseOptions(args, env);
const value = (args: string[], env: Record<string, string> = {}) => {
  const r = parse(args, env);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe("parseOptions", () => {
  it("defaults to the full run written to docs/benchmarks.md", () => {
    const o = value([]);
    expect(o).toMatchObject({
      quick: false,
      sizes: [10_000, 100_000],
      seconds: 10,
      warmupSeconds: 2,
      connections: 10,
      ceilingSeconds: 4,
      seedBudgetSeconds: 120,
      fromSource: false,
      out: "docs/benchmarks.md",
    });
    expect(o.servers).toEqual(["bare", "scimkit-memory", "scimkit-durable", "scimkit-pglite", "scimmy"]);
    expect(o.scenarios).toHaveLength(9);
  });

  it("makes --quick a short smoke run that writes nothing", () => {
    expect(value(["--quick"])).toMatchObject({
      sizes: [1_000, 10_000],
      seconds: 2,
      warmupSeconds: 0,
      ceilingSeconds: 1,
      out: null,
    });
    expect(value(["--quick", "--out", "x.md"]).out).toBe("x.md");
  });

  it("adds the real PostgreSQL server only when SCIMKIT_TEST_PG_URL is set", () => {
    expect(value([], { SCIMKIT_TEST_PG_URL: "postgres://127.0.0.1/x" })).toMatchObject({
      servers: ["bare", "scimkit-memory", "scimkit-durable", "scimkit-pglite", "scimkit-pg", "scimmy"],
      pgUrl: "postgres://127.0.0.1/x",
    });
    const r = parse(["--servers", "scimkit-pg"]);
    expect(r.ok ? "" : r.error).toMatch(/SCIMKIT_TEST_PG_URL/);
  });

  it("always runs the bare ceiling first, in a fixed server order", () => {
    expect(value(["--servers", "scimmy,scimkit-memory"]).servers).toEqual(["bare", "scimkit-memory", "scimmy"]);
  });

  it("writes the published figures only from the full default run", () => {
    expect(value(["--servers", "scimmy"]).out).toBeNull();
    expect(value(["--sizes", "1000", "--cpu-prof"]).out).toBeNull();
    expect(value(["--servers", "scimmy", "--out", "docs/x.md"]).out).toBe("docs/x.md");
    expect(value(["--render", "run.json"]).out).toBe("docs/benchmarks.md");
  });

  it("takes the ceiling sample's length, and a run with another one is not the published run", () => {
    expect(value(["--ceiling", "6"])).toMatchObject({ ceilingSeconds: 6, out: null });
    expect(value(["--from-source"])).toMatchObject({ fromSource: true, out: null });
    const r = parse(["--ceiling", "1.5"]);
    expect(r.ok ? "" : r.error).toMatch(/--ceiling must be a positive integer/);
  });

  it("takes a saved run to re-render", () => {
    expect(value(["--render", "run.json"]).render).toBe("run.json");
  });

  it("takes a git ref to measure beside HEAD's memory store, which is then not the published run", () => {
    expect(value([]).baseline).toBeNull();
    expect(value(["--baseline", "181ba3d"])).toMatchObject({ baseline: "181ba3d", out: null });
    expect(value(["--baseline", "main~2", "--servers", "scimkit-memory", "--out", "docs/x.md"])).toMatchObject({
      baseline: "main~2",
      servers: ["bare", "scimkit-memory"],
      out: "docs/x.md",
    });
  });

  it.each([
    [["--baseline", "181ba3d", "--servers", "scimmy"], /keep it in --servers/],
    [["--baseline", "181ba3d", "--from-source"], /built children only/],
    [["--baseline", "181ba3d", "--render", "run.json"], /--render only re-renders/],
    [["--baseline", "a b"], /takes a git ref/],
    [["--baseline", "-x"], /takes a git ref|ambiguous/],
    [["--baseline="], /takes a git ref/],
    [["--baseline"], /argument missing/],
  ])("rejects the baseline in %j", (args, message) => {
    const r = parse(args);
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.error).toMatch(message);
  });

  it("takes sizes, durations and --out -", () => {
    expect(value(["--sizes", "500,2000", "--duration", "3", "--warmup", "0", "--out", "-"])).toMatchObject({
      sizes: [500, 2000],
      seconds: 3,
      warmupSeconds: 0,
      out: null,
    });
  });

  it.each([
    [["--sizes", "10,abc"], /--sizes/],
    [["--duration", "-1"], /--duration/],
    [["--connections", "2.5"], /--connections/],
    [["--duration", "1.5"], /whole|integer/],
    [["--servers", "nginx"], /unknown server: nginx/],
    [["--scenarios", "get-user,delete-all"], /unknown scenario: delete-all/],
    [["--frobnicate"], /frobnicate/],
  ])("rejects %j", (args, message) => {
    const r = parse(args);
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.error).toMatch(message);
  });
});

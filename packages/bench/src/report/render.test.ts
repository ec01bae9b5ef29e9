import { describe, expect, it } from "vitest";
import { BEGIN, END, mergeIntoDoc, renderResults } from "./render.js";
import { markdownTable } from "./format.js";
import { checkTargets } from "../targets.js";
import { BASELINE } from "../protocol.js";
import type { Measurement } from "../results.js";
import { ceilingAt, everyScenario, load, results } from "../test-results.js";

describe("markdownTable", () => {
  it("pads columns, right-aligns numbers and escapes pipes", () => {
    expect(
      markdownTable(
        ["a", "n"],
        [
          ["x|y", "1"],
          ["z", "100"],
        ],
        ["left", "right"],
      ),
    ).toBe(["| a    |   n |", "|------|----:|", "| x\\|y |   1 |", "| z    | 100 |"].join("\n"));
  });
});

describe("renderResults", () => {
  const r = results(
    [
      ceilingAt(10_000, 2000),
      ...everyScenario("scimkit-memory", 10_000, () => 1800),
      ...everyScenario("scimmy", 10_000, (id) => (id === "page-100" ? 0.5 : 900), 1),
    ],
    [
      {
        server: "scimkit-memory",
        size: 10_000,
        seed: {
          usersWanted: 10_000,
          usersSeeded: 10_000,
          userSeconds: 2,
          membersWanted: 10_000,
          membersSeeded: 10_000,
          memberSeconds: 0.5,
          method: "POST",
        },
        memory: { rssBytes: 100 * 2 ** 20, heapUsedBytes: 40 * 2 ** 20, externalBytes: 2 ** 20 },
        startSeconds: 3,
        profiles: [],
      },
      {
        server: "scimmy",
        size: 10_000,
        seed: {
          usersWanted: 10_000,
          usersSeeded: 10_000,
          userSeconds: 4,
          membersWanted: 10_000,
          membersSeeded: 4_000,
          memberSeconds: 120,
          method: "SCIMMY API",
        },
        profiles: [],
      },
      { server: "scimkit-pglite", size: 10_000, failure: "boom", profiles: [] },
    ],
    [10_000],
  );
  const text = renderResults(r, checkTargets(r));

  it("states the date, the command, the machine and the versions", () => {
    expect(text).toContain("Run on 2025-01-02 03:04 UTC (one run, 20 min): `pnpm bench`");
    expect(text).toContain("Test CPU, 2 cores, 24 GiB");
    expect(text).toContain("scimmy 1.3.5");
  });

  it("gives each scenario's req/s with its ratios to the ceiling and to SCIMMY, and the target mark", () => {
    expect(text).toMatch(
      /\| GET \/Users\/\{id\} +\| scimkit · memory \| +1,800 \| +2 \| +9 \| +120 \| +0 \| +2,000 \| +0\.90× \| +2\.00× \| ≥ 0\.8 ✓ +\|/,
    );
    expect(text).toMatch(/\| random page of 100 +\| SCIMMY +\| +¹ 0\.50 \|/);
    expect(text).toContain("¹ One request took over 0.5 s");
  });

  it("reports partial seeding, seeding rates, memory and failures", () => {
    expect(text).toMatch(/\| SCIMMY +\| 10,000 \| +10,000 \| +2,500 \| +4,000 of 10,000 \| +33 \|/);
    expect(text).toContain("100 / 40 / 1");
    expect(text).toContain("failed: boom");
  });

  it("keeps the seeding row of a server that failed after seeding, and says what stopped it", () => {
    const seed = {
      usersWanted: 10,
      usersSeeded: 10,
      userSeconds: 1,
      membersWanted: 10,
      membersSeeded: 10,
      memberSeconds: 1,
      method: "API",
    };
    const failed = results(
      [ceilingAt(10_000, 2000)],
      [{ server: "scimmy", size: 10_000, seed, failure: "page-100: no answer", profiles: [] }],
      [10_000],
    );
    const out = renderResults(failed, checkTargets(failed));
    expect(out).toMatch(/\| SCIMMY +\| 10,000 \| +10 \|/);
    expect(out).toContain("- SCIMMY at N = 10,000 stopped early: page-100: no answer.");
  });

  it("counts the targets met", () => {
    expect(text).toContain(`### Targets: 18 of 18 met`);
  });
});

describe("renderResults with ceiling samples around each scenario", () => {
  it("divides each scenario by the mean of its own samples, shows it, and gives the block's spread", () => {
    const paired = everyScenario("scimkit-memory", 10_000, () => 1800).map((m, i) => ({
      ...m,
      ceilingPair: { before: 2000 + 100 * i, after: 2100 + 100 * i },
    }));
    const r = results([ceilingAt(10_000, 2000), ...paired], [], [10_000]);
    const text = renderResults(r, checkTargets(r));
    // GET /Users/{id} is the first scenario: samples 2,000 and 2,100, so 1,800 / 2,050.
    expect(text).toMatch(
      /\| GET \/Users\/\{id\} +\| scimkit · memory \| +1,800 \| +2 \| +9 \| +120 \| +0 \| +2,050 \| +0\.88× \|/,
    );
    expect(text).toContain("10 samples in this block, 2,000 to 2,900 req/s, median 2,500");
  });
});

describe("renderResults with a baseline", () => {
  const pair = { before: 2000, after: 2000 };
  const head = everyScenario("scimkit-memory", 10_000, (id) => (id === "post-user" ? 900 : 1200)).map((m) => ({
    ...m,
    ceilingPair: pair,
  }));
  const base = everyScenario("scimkit-memory", 10_000, () => 1000).map(
    (m): Measurement => ({ ...m, server: BASELINE, load: load(1000, { cpuMicrosPerRequest: 150 }), ceilingPair: pair }),
  );
  const r = {
    ...results([ceilingAt(10_000, 2000), ...head, ...base], [], [10_000]),
    baseline: {
      ref: "181ba3d",
      commit: "181ba3d7de6298fea8588068c16ba8829f4b8ffc",
      subject: "health: one counter",
      express: "5.3.0",
      head: { commit: "9416703aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", uncommitted: [] },
    },
  };
  const text = renderResults(r, checkTargets(r));

  it("names the baseline by its ref in the tables and says what it was built from", () => {
    expect(text).toMatch(/\| PATCH active false\/true \(Okta, no path\) +\| scimkit · memory @ 181ba3d \| +1,000 \|/);
    expect(text).toContain('- Baseline: `181ba3d` = 181ba3d7de ("health: one counter")');
    expect(text).toContain("HEAD = 9416703aaa, clean.");
  });

  it("gives both ratios for each scenario and the change in per cent, for throughput and CPU", () => {
    expect(text).toContain("### HEAD against 181ba3d");
    expect(text).toMatch(
      /\| PATCH active false\/true \(Okta, no path\) +\| 10,000 \| +1,000 \| +0\.50× \| +1,200 \| +0\.60× \| +\+20 % \| +150 \| +120 \| +−20 % \|/,
    );
    expect(text).toMatch(/\| POST \/Users +\| 10,000 \| +1,000 \| +0\.50× \| +900 \| +0\.45× \| +−10 % \|/);
  });

  it("holds only HEAD's memory store to the targets", () => {
    expect(checkTargets(r).every((c) => !c.subject.includes("181ba3d"))).toBe(true);
    expect(checkTargets(r).filter((c) => c.kind === "ceiling-ratio")).toHaveLength(9);
  });
});

describe("mergeIntoDoc", () => {
  it("starts a document with the markers when there is none", () => {
    const doc = mergeIntoDoc(null, "TABLE\n");
    expect(doc.startsWith("# Benchmarks")).toBe(true);
    expect(doc).toContain(`${BEGIN}\nTABLE\n${END}`);
  });

  it("replaces only what lies between the markers, keeping the hand-written analysis", () => {
    const before = `# Title\n\nintro\n\n${BEGIN}\nold figures\n${END}\n\n## Why\n\nanalysis\n`;
    const after = mergeIntoDoc(before, "new figures\n");
    expect(after).toBe(`# Title\n\nintro\n\n${BEGIN}\nnew figures\n${END}\n\n## Why\n\nanalysis\n`);
  });
});

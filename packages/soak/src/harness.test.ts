/**
 * The harness's own rules, without a database: what the model accepts after a lost answer, which
 * 5xx answers count against scimkit, how faults are spread, and the command line.
 */
import { describe, expect, it } from "vitest";
import type { Attempt } from "./client.js";
import type { Fault } from "./faults.js";
import { FAULT_KINDS, planFaults } from "./faults.js";
import { dropMember, type GroupSlot, settleGroup, settleUser, type UserSlot } from "./model.js";
import { parseOptions } from "./options.js";
import { createRng } from "./rng.js";
import { percentile, statusViolations } from "./summary.js";

const fields = { givenName: "Ada", familyName: "L", title: "Engineer", active: true };

describe("the IdP's model", () => {
  it("holds one state after an acknowledged write and both after a lost answer", () => {
    const user: UserSlot = { userName: "ada@acme.example", id: "u1", possible: [fields], busy: false };
    settleUser(user, { ...fields, active: false }, true);
    expect(user.possible).toEqual([{ ...fields, active: false }]);
    settleUser(user, null, false);
    expect(user.possible).toEqual([{ ...fields, active: false }, null]);
  });

  it("applies a membership change to the group as it is when the answer comes", () => {
    const group: GroupSlot = { displayName: "g", id: "g1", possible: [["a", "b"]], created: "yes", busy: true };
    // b is deleted while an add of c is in flight: the add's answer must not bring b back.
    dropMember([group], "b", true);
    settleGroup(group, ["c"], true, true);
    expect(group.possible).toEqual([["a", "c"]]);
    settleGroup(group, ["a"], false, false);
    expect(group.possible).toEqual([["a", "c"], ["c"]]);
  });
});

const attempt = (status: number | null, sentAt: number, doneAt: number): Attempt => ({
  requestId: `r${sentAt}`,
  app: 0,
  sentAt,
  doneAt,
  status,
  label: "PATCH /Users",
});

describe("status rules", () => {
  const faults: Fault[] = [{ kind: "pg-restart", detail: "", injectedAt: 1_000, clearedAt: 1_500, recoveredAt: 2_000 }];

  it("accepts a 503 in flight during a fault window and nothing else of 5xx", () => {
    expect(
      statusViolations([attempt(503, 900, 1_100), attempt(503, 1_900, 2_100), attempt(200, 0, 10)], faults),
    ).toEqual([]);
    const found = statusViolations([attempt(503, 2_500, 2_600), attempt(500, 1_200, 1_300)], faults);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^1 × 503 outside every fault window/);
    expect(found[1]).toMatch(/^1 × 500/);
  });

  it("reports nearest-rank percentiles", () => {
    expect(percentile([30, 10, 20, 40], 0.5)).toBe("20");
    expect(percentile([], 0.5)).toBe("-");
  });
});

describe("fault plan", () => {
  it("gives each kind its count, in order of time, inside the run, the same for the same seed", () => {
    const plan = planFaults(createRng(7), 60_000, 3);
    for (const kind of FAULT_KINDS) expect(plan.filter((f) => f.kind === kind)).toHaveLength(3);
    expect(plan.map((f) => f.at)).toEqual([...plan.map((f) => f.at)].sort((a, b) => a - b));
    expect(plan.every((f) => f.at > 0 && f.at < 60_000)).toBe(true);
    expect(planFaults(createRng(7), 60_000, 3)).toEqual(plan);
  });
});

describe("options", () => {
  it("takes the defaults, a seed and counts, and refuses what is not a count", () => {
    expect(parseOptions([], () => 5)).toEqual({ duration: 60, faults: 3, seed: 5, apps: 3, workers: 6 });
    expect(parseOptions(["--", "--duration", "300", "--faults", "10", "--seed", "9"], () => 5)).toMatchObject({
      duration: 300,
      faults: 10,
      seed: 9,
    });
    expect(parseOptions(["--faults", "many"], () => 5)).toHaveProperty("error");
    expect(parseOptions(["--nope"], () => 5)).toHaveProperty("error");
  });
});

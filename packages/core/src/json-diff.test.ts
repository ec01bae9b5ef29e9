import jsonPatch from "fast-json-patch";
import { describe, expect, it } from "vitest";
import { jsonDiff } from "./json-diff.js";
import type { JsonObject } from "./store/types.js";

const cases: [string, JsonObject, JsonObject][] = [
  ["a creation", {}, { userName: "ann", "odd/key": { list: [1, 2] }, "tilde~key": null, active: true }],
  ["a deletion", { userName: "ann", "odd/key": { list: [1] }, "tilde~key": null }, {}],
  ["nothing to nothing", {}, {}],
  ["a change", { active: true, name: { givenName: "Ann" } }, { active: false, name: { givenName: "Anne" } }],
];

describe("jsonDiff", () => {
  for (const [name, before, after] of cases) {
    it(`lists ${name} as fast-json-patch does`, () => {
      expect(jsonDiff(before, after)).toEqual(jsonPatch.compare(before, after));
    });
  }

  it("gives operations that turn before into after", () => {
    for (const [, before, after] of cases) {
      const applied = jsonPatch.applyPatch(structuredClone(before), jsonDiff(before, after) as never).newDocument;
      expect(applied).toEqual(after);
    }
  });
});

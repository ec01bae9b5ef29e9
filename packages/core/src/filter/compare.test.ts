import { describe, expect, it } from "vitest";
import { attr } from "../schema/attribute.js";
import type { JsonValue } from "../store/types.js";
import { compareForSort, instant, isPresent, valueTest } from "./compare.js";

const text = attr("title", "string");
const exact = attr("id", "string", { caseExact: true });
const when = attr("created", "dateTime");
const num = attr("level", "integer");
const flag = attr("active", "boolean");

const sorted = (leaf: typeof text, values: (JsonValue | undefined)[]) =>
  [...values].sort((a, b) => compareForSort(leaf, a, b));

describe("compareForSort", () => {
  it("orders strings case-insensitively unless caseExact", () => {
    expect(sorted(text, ["banana", "Apple", "cherry"])).toEqual(["Apple", "banana", "cherry"]);
    expect(sorted(exact, ["banana", "Apple", "cherry"])).toEqual(["Apple", "banana", "cherry"]);
    expect(sorted(exact, ["b", "B", "a"])).toEqual(["B", "a", "b"]);
  });

  it("orders dateTimes as instants across zone offsets", () => {
    expect(sorted(when, ["2020-01-01T01:00:00+02:00", "2020-01-01T00:00:00Z", "2019-12-31T23:30:00Z"])).toEqual([
      "2020-01-01T01:00:00+02:00", // 2019-12-31T23:00:00Z
      "2019-12-31T23:30:00Z",
      "2020-01-01T00:00:00Z",
    ]);
  });

  it("orders numbers numerically and false before true", () => {
    expect(sorted(num, [10, 9, -1, 100])).toEqual([-1, 9, 10, 100]);
    expect(sorted(flag, [true, false, true])).toEqual([false, true, true]);
  });

  it("puts missing values after every present value", () => {
    expect(sorted(text, [null, "b", null, "a"])).toEqual(["a", "b", null, null]);
    expect(compareForSort(text, undefined, null)).toBe(0);
    expect(compareForSort(text, undefined, "a")).toBeGreaterThan(0);
    expect(compareForSort(text, "a", undefined)).toBeLessThan(0);
  });
});

describe("valueTest", () => {
  it("matches string equality by folding only when not caseExact", () => {
    expect(valueTest(text, "eq", "ABC")("abc")).toBe(true);
    expect(valueTest(exact, "eq", "ABC")("abc")).toBe(false);
    expect(valueTest(exact, "ne", "ABC")("abc")).toBe(true);
  });

  it("never matches a value of another type", () => {
    expect(valueTest(text, "eq", "1")(1)).toBe(false);
    expect(valueTest(num, "eq", 1)("1")).toBe(false);
    expect(valueTest(flag, "eq", true)("true")).toBe(false);
  });

  it("treats an unreadable stored timestamp as unequal to every literal", () => {
    expect(valueTest(when, "eq", "2020-01-01T00:00:00Z")("garbage")).toBe(false);
    expect(valueTest(when, "ne", "2020-01-01T00:00:00Z")("garbage")).toBe(true);
    expect(valueTest(when, "gt", "2020-01-01T00:00:00Z")("garbage")).toBe(false);
  });
});

describe("instant", () => {
  it("reads timestamps without a zone as UTC", () => {
    expect(instant("2020-01-01T00:00:00")).toBe(Date.UTC(2020, 0, 1));
    expect(instant("2020-01-01T02:00:00+02:00")).toBe(Date.UTC(2020, 0, 1));
    expect(instant("2020-01-01")).toBe(Date.UTC(2020, 0, 1));
  });
});

describe("isPresent", () => {
  it("is false for absent, null, empty string, empty array and empty object", () => {
    expect([undefined, null, "", [], {}, [null], { a: null }].map(isPresent)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("is true for false, 0 and non-empty values", () => {
    expect([false, 0, "x", ["x"], { a: 1 }].map(isPresent)).toEqual([true, true, true, true, true]);
  });
});

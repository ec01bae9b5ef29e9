import { describe, expect, it } from "vitest";
import { isoTime } from "./time.js";

describe("isoTime", () => {
  it("writes what Date#toISOString writes, on the days calendars get wrong", () => {
    const days = [
      "1970-01-01T00:00:00.000Z",
      "1972-02-29T23:59:59.999Z",
      "1999-12-31T23:59:59.999Z",
      "2000-02-29T12:00:00.005Z",
      "2000-03-01T00:00:00.050Z",
      "2024-02-29T06:07:08.900Z",
      "2100-02-28T23:59:59.999Z",
      "2100-03-01T00:00:00.000Z",
      "2400-02-29T00:00:00.001Z",
      "9999-12-31T23:59:59.999Z",
    ];
    for (const text of days) expect(isoTime(new Date(text))).toBe(text);
  });

  it("agrees with Date#toISOString on 200,000 times spread over years 1970 to 9999", () => {
    let seed = 12_345;
    const mismatches: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      seed = (seed * 48_271) % 2_147_483_647;
      const date = new Date(Math.floor((seed / 2_147_483_647) * 253_402_300_800_000));
      if (isoTime(date) !== date.toISOString()) mismatches.push(date.toISOString());
    }
    expect(mismatches).toEqual([]);
  });

  it("leaves dates outside 1970–9999 and invalid dates to the built-in", () => {
    const before = new Date("1969-07-20T20:17:40.000Z");
    expect(isoTime(before)).toBe("1969-07-20T20:17:40.000Z");
    expect(isoTime(new Date(Date.UTC(10_000, 0, 1)))).toBe("+010000-01-01T00:00:00.000Z");
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});

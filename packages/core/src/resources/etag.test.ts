import { describe, expect, it } from "vitest";
import { etagOf, expectedVersion, notModified, parseEtags } from "./etag.js";

describe("etags", () => {
  it("renders weak tags and parses lists, wildcards and strong forms", () => {
    expect(etagOf(3)).toBe('W/"3"');
    expect(parseEtags('W/"3", "4"')).toEqual([3, 4]);
    expect(parseEtags("*")).toBe("any");
    expect(parseEtags(null)).toBeNull();
    expect(parseEtags('"abc"')).toEqual([-1]);
  });

  it("decides If-Match and If-None-Match", () => {
    expect(expectedVersion(null, 5)).toBeUndefined();
    expect(expectedVersion("*", 5)).toBeUndefined();
    expect(expectedVersion('W/"5"', 5)).toBe(5);
    expect(expectedVersion('W/"4"', 5)).toBe(-1);
    expect(notModified('W/"5"', 5)).toBe(true);
    expect(notModified('W/"4"', 5)).toBe(false);
    expect(notModified(null, 5)).toBe(false);
  });
});

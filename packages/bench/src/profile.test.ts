import { describe, expect, it } from "vitest";
import { shortLocation, topFrames, type CpuProfile } from "./profile.js";

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

describe("topFrames", () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)", "") },
      { id: 2, callFrame: frame("(idle)", "") },
      { id: 3, callFrame: frame("parse", "file:///w/packages/core/src/filter/parse.ts", 9) },
      { id: 4, callFrame: frame("parse", "file:///w/packages/core/src/filter/parse.ts", 9) },
      { id: 5, callFrame: frame("(garbage collector)", "") },
      { id: 6, callFrame: frame("", "file:///w/node_modules/.pnpm/x@1/node_modules/express/lib/router.js", 99) },
    ],
    samples: [2, 2, 2, 2, 3, 4, 4, 5, 6, 6],
  };

  it("merges one function's nodes and ranks by self samples, leaving idle out of the ranking but not the total", () => {
    const top = topFrames(profile, 10);
    expect(top.map((f) => f.name)).toEqual(["parse", "(anonymous)", "(garbage collector)"]);
    expect(top[0]).toEqual({ name: "parse", location: "packages/core/src/filter/parse.ts:10", selfShare: 0.3 });
    expect(top[1]?.location).toBe("express/lib/router.js:100");
  });

  it("returns nothing for a profile without samples", () => {
    expect(topFrames({ nodes: profile.nodes }, 5)).toEqual([]);
  });

  it("cuts the list at the limit", () => {
    expect(topFrames(profile, 1)).toHaveLength(1);
  });
});

describe("shortLocation", () => {
  it("names natives and keeps workspace paths from packages/ on", () => {
    expect(shortLocation("", 0)).toBe("(native)");
    expect(shortLocation("node:internal/http", 4)).toBe("node:internal/http:5");
  });
});

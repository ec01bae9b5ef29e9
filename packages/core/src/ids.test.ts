import { describe, expect, it } from "vitest";
import { uuidv7Generator } from "./ids.js";

describe("uuidv7Generator", () => {
  it("makes RFC 9562 version-7 ids that increase even within one millisecond", () => {
    const next = uuidv7Generator(() => 1_700_000_000_000);
    const ids = Array.from({ length: 5000 }, () => next());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps order when the clock steps back", () => {
    let t = 2_000;
    const next = uuidv7Generator(() => t);
    const a = next();
    t = 1_000;
    const b = next();
    expect(b > a).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { SortedIndex } from "./sorted-index.js";

/** A tiny deterministic generator, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const naivePrefix = (entries: Map<string, string>, prefix: string): string[] =>
  [...entries]
    .filter(([, key]) => key.startsWith(prefix))
    .sort(([ia, ka], [ib, kb]) => (ka < kb ? -1 : ka > kb ? 1 : ia < ib ? -1 : ia > ib ? 1 : 0))
    .map(([id]) => id);

describe("SortedIndex", () => {
  it("answers prefix queries like a full sort, across thousands of inserts and deletes spanning many blocks", () => {
    const next = random(7);
    const index = new SortedIndex();
    const entries = new Map<string, string>(); // id → key
    for (let step = 0; step < 6000; step++) {
      const id = `id${Math.floor(next() * 4000)}`;
      const current = entries.get(id);
      if (current !== undefined && next() < 0.4) {
        index.delete(current, id);
        entries.delete(id);
      } else if (current === undefined) {
        // Few distinct keys, so equal keys are ordered by id and straddle block boundaries.
        const key = `user${Math.floor(next() * 300)}@example.com`;
        index.add(key, id);
        entries.set(id, key);
      }
    }
    expect(index.size).toBe(entries.size);
    expect(entries.size).toBeGreaterThan(1500);
    for (const prefix of ["", "user1", "user12", "user299@", "user5", "nobody", "user"]) {
      expect(index.withPrefix(prefix)).toEqual(naivePrefix(entries, prefix));
    }
  });

  it("ignores the deletion of an entry it does not hold", () => {
    const index = new SortedIndex();
    index.add("a", "1");
    index.delete("a", "2");
    index.delete("b", "1");
    expect(index.size).toBe(1);
    expect(index.withPrefix("a")).toEqual(["1"]);
  });

  it("keeps entries that arrive in ascending order, the common bulk-load case", () => {
    const index = new SortedIndex();
    for (let i = 0; i < 2000; i++) index.add(`k${String(i).padStart(5, "0")}`, `i${i}`);
    expect(index.withPrefix("k0199")).toEqual(Array.from({ length: 10 }, (_, j) => `i${1990 + j}`));
    for (let i = 0; i < 2000; i += 2) index.delete(`k${String(i).padStart(5, "0")}`, `i${i}`);
    expect(index.size).toBe(1000);
    expect(index.withPrefix("k0199")).toEqual([1991, 1993, 1995, 1997, 1999].map((n) => `i${n}`));
  });
});

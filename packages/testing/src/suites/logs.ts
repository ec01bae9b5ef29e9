/** The audit and events logs: append in the unit of work, `seq` strictly increasing, cursor reads and filters. */
import { beforeAll, describe, expect, it } from "vitest";
import type { LogEntry, LogQuery, NewLogEntry } from "@scimkit/core/store";
import { stamp, type Harness } from "../harness.js";

const entry = (
  second: number,
  directoryId: string | null,
  resourceType: string | null,
  resourceId: string | null,
  n: number,
): NewLogEntry => ({
  at: stamp(second),
  directoryId,
  resourceType,
  resourceId,
  data: { n, nested: { ok: true } },
});

export function logsSuite(h: Harness): void {
  describe("logs", () => {
    let t = "";
    let seqs: number[] = [];
    const written: NewLogEntry[] = [
      entry(1, "d-1", "User", "u-1", 1),
      entry(2, "d-1", "Group", "g-1", 2),
      entry(3, "d-2", "User", "u-2", 3),
      entry(4, null, null, null, 4),
      entry(5, "d-1", "User", "u-1", 5),
    ];
    beforeAll(async () => {
      t = h.tenant("logs");
      seqs = await h.write(t, async (tx) => {
        const out: number[] = [];
        for (const e of written) out.push(await tx.appendLog("audit", e));
        await tx.appendLog("events", entry(6, "d-1", "User", "u-1", 6));
        return out;
      });
    });
    const read = (query: Partial<LogQuery>) => h.read(t, (tx) => tx.readLog("audit", { limit: 100, ...query }));
    const ns = (entries: readonly LogEntry[]) => entries.map((e) => e.data["n"]);

    it("assigns strictly increasing seq values and returns each from appendLog", async () => {
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] ?? Number.POSITIVE_INFINITY);
      const stored = await h.persisted.logEntries("audit", t);
      expect(stored.map((e) => e.seq)).toEqual(seqs);
      const later = await h.write(t, (tx) => tx.appendLog("audit", entry(9, null, null, null, 9)));
      expect(later).toBeGreaterThan(seqs[seqs.length - 1] ?? Number.POSITIVE_INFINITY);
      seqs.push(later);
    });

    it("stores every field of an entry and reads entries in seq order", async () => {
      const all = await read({});
      expect(all.slice(0, 5).map(({ seq: _seq, ...rest }) => rest)).toEqual(written);
      expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => a - b));
    });

    it("reads after a cursor, up to a limit", async () => {
      expect(ns(await read({ after: seqs[1] }))).toEqual([3, 4, 5, 9]);
      expect(ns(await read({ after: seqs[1], limit: 2 }))).toEqual([3, 4]);
      expect(ns(await read({ limit: 1 }))).toEqual([1]);
      expect(await read({ after: seqs[seqs.length - 1] })).toEqual([]);
    });

    it("reads newest first, and pages back before a cursor", async () => {
      expect(ns(await read({ order: "descending", before: (seqs[4] ?? 0) + 1, limit: 2 }))).toEqual([5, 4]);
      expect((await read({ order: "descending", limit: 1 }))[0]?.seq).toBe(
        Math.max(...(await read({})).map((e) => e.seq)),
      );
      expect(ns(await read({ order: "descending", before: seqs[3] }))).toEqual([3, 2, 1]);
      expect(ns(await read({ order: "descending", before: seqs[3], after: seqs[0], limit: 5 }))).toEqual([3, 2]);
      expect(ns(await read({ before: seqs[2] }))).toEqual([1, 2]);
      expect(ns(await read({ order: "descending", directoryId: "d-1", before: (seqs[4] ?? 0) + 1 }))).toEqual([
        5, 2, 1,
      ]);
    });

    it("filters by directory, resource type, resource id and time range", async () => {
      expect(ns(await read({ directoryId: "d-1" }))).toEqual([1, 2, 5]);
      expect(ns(await read({ resourceType: "User" }))).toEqual([1, 3, 5]);
      expect(ns(await read({ resourceId: "u-1", directoryId: "d-1" }))).toEqual([1, 5]);
      expect(ns(await read({ from: stamp(2), to: stamp(4) }))).toEqual([2, 3]);
      expect(ns(await read({ from: stamp(5), directoryId: "d-1", after: seqs[0] }))).toEqual([5]);
    });

    it("appendLogs, when the store offers it, appends in order to each log and returns each seq", async () => {
      const own = h.tenant("logs");
      const result = await h.write(own, async (tx) =>
        tx.appendLogs
          ? tx.appendLogs([
              { log: "audit", entry: entry(1, "d-1", "User", "u-1", 1) },
              { log: "events", entry: entry(1, "d-1", "User", "u-1", 2) },
              { log: "audit", entry: entry(2, null, null, null, 3) },
            ])
          : undefined,
      );
      if (result === undefined) return;
      expect(result).toHaveLength(3);
      for (let i = 1; i < result.length; i++)
        expect(result[i]).toBeGreaterThan(result[i - 1] ?? Number.POSITIVE_INFINITY);
      const audit = await h.persisted.logEntries("audit", own);
      const events = await h.persisted.logEntries("events", own);
      expect(audit.map((e) => [e.seq, e.data["n"]])).toEqual([
        [result[0], 1],
        [result[2], 3],
      ]);
      expect(events.map((e) => [e.seq, e.data["n"]])).toEqual([[result[1], 2]]);
    });

    it("keeps the audit and events logs apart", async () => {
      const events = await h.read(t, (tx) => tx.readLog("events", { limit: 100 }));
      expect(ns(events)).toEqual([6]);
      expect((await read({})).some((e) => e.data["n"] === 6)).toBe(false);
    });
  });
}

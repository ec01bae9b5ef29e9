import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { crc32, crc32Portable } from "./crc32.js";
import { nodeFileIo, type FileIo } from "./io.js";
import { decodeSegment, segmentNames } from "./journal.js";
import { createMemoryStore, openMemoryStore, type MemoryStoreOptions } from "./store.js";
import type { ResourceWrite, ScimStore } from "../store/types.js";

const at = "2026-01-01T00:00:00.000Z";
const user = (id: string, userName: string, extra: ResourceWrite["attributes"] = {}, version = 1): ResourceWrite => ({
  id,
  resourceType: "User",
  attributes: { userName, ...extra },
  internal: {},
  uniqueKey: userName.toLowerCase(),
  created: at,
  lastModified: at,
  version,
});
const group = (id: string, displayName: string): ResourceWrite => ({
  id,
  resourceType: "Group",
  attributes: { displayName },
  internal: {},
  uniqueKey: null,
  created: at,
  lastModified: at,
  version: 1,
});
const entry = (resourceId: string) => ({ at, directoryId: "d", resourceType: "User", resourceId, data: { op: "x" } });

const dirs: string[] = [];
const open: ScimStore[] = [];
afterEach(async () => {
  // Stores a test "crashed" are left as they are; the ones still tracked are closed.
  for (const s of open.splice(0)) await s.close?.().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "scimkit-durable-"));
  dirs.push(d);
  return d;
};
const segments = (dir: string) =>
  readdirSync(dir)
    .filter((n) => segmentNames("scimkit").firstLsn(n) !== undefined)
    .sort();
const segmentPath = (dir: string) => {
  const names = segments(dir);
  const last = names[names.length - 1];
  if (!last) throw new Error("no journal segment");
  return join(dir, last);
};
/** Opens a store without registering it for closing: a test may abandon it, as a crash would. */
const openAt = (directory: string, options: Omit<MemoryStoreOptions, "directory"> = {}, io: FileIo = nodeFileIo) =>
  openMemoryStore({ directory, ...options }, io);

const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** Everything a tenant holds, through the contract. */
async function dump(store: ScimStore, tenantId: string) {
  return store.transaction(
    tenantId,
    async (tx) => {
      const all = { startIndex: 1, count: 1_000_000, projection: { members: true, groups: true } };
      const users = await tx.queryResources("User", all);
      const groups = await tx.queryResources("Group", all);
      return {
        users: users.resources,
        groups: groups.resources,
        tokens: [...(await tx.listRecords("token"))].sort((a, b) => a.id.localeCompare(b.id)),
        audit: await tx.readLog("audit", { limit: 1_000_000 }),
        events: await tx.readLog("events", { limit: 1_000_000 }),
      };
    },
    { readOnly: true },
  );
}

/** A bit of everything a unit of work can change, across two tenants. */
async function workload(store: ScimStore, rounds: number, prefix = "") {
  for (let i = 0; i < rounds; i++) {
    const id = `${prefix}u${i}`;
    await store.transaction("t1", async (tx) => {
      await tx.createResource(
        user(id, `${id}@example.com`, { displayName: `User ${i}`, emails: [{ value: `${id}@example.com` }] }),
      );
      await tx.appendLogs?.([
        { log: "audit", entry: entry(id) },
        { log: "events", entry: entry(id) },
      ]);
    });
    if (i % 5 === 0) {
      await store.transaction("t1", async (tx) => {
        await tx.createResource(group(`${prefix}g${i}`, `Group ${i}`));
        await tx.addMembers(`${prefix}g${i}`, [{ value: id, type: "User", display: `User ${i}` }], {
          modifiedAt: at,
          version: 2,
        });
      });
    }
    if (i % 5 === 2) {
      await store.transaction("t1", async (tx) => {
        await tx.replaceResource(user(id, `${id}.renamed@example.com`, { active: false }, 2), { expectedVersion: 1 });
        await tx.addMembers(`${prefix}g${i - 2}`, [{ value: id, type: "User" }], { modifiedAt: at, version: 3 });
        await tx.removeMembers(`${prefix}g${i - 2}`, [`${prefix}u${i - 2}`], { modifiedAt: at, version: 4 });
      });
    }
    if (i % 5 === 4) {
      await store.transaction("t1", async (tx) => {
        await tx.deleteResource("User", `${prefix}u${i - 2}`);
        await tx.replaceMembers(
          `${prefix}g${i - 4}`,
          [
            { value: `${prefix}u${i - 1}`, type: "User" },
            { value: `${prefix}u${i - 3}`, type: "User" },
          ],
          {
            modifiedAt: at,
            version: 5,
          },
        );
      });
    }
    if (i % 7 === 3) {
      await store.transaction("t2", async (tx) => {
        await tx.putRecord("token", { id: `${prefix}k${i}`, key: `${prefix}hash${i}`, data: { n: i } });
        if (i >= 7)
          await tx.putRecord("token", { id: `${prefix}k${i - 7}`, key: `${prefix}rehash${i}`, data: { n: -i } });
        if (i >= 14) await tx.deleteRecord("token", `${prefix}k${i - 14}`);
        await tx.createResource(user(`${prefix}t2u${i}`, `${prefix}t2u${i}@example.com`));
      });
    }
  }
}

describe("memory store journal", () => {
  it("replays every committed unit after a crash (no close) to the same state, indexes included", async () => {
    const dir = tempDir();
    const first = openAt(dir, { logRetention: 20 });
    await workload(first, 130);
    expect(existsSync(join(dir, "scimkit.json"))).toBe(false);

    const second = openAt(dir, { logRetention: 20 });
    open.push(second);
    for (const tenant of ["t1", "t2"]) expect(await dump(second, tenant)).toEqual(await dump(first, tenant));
    expect((await dump(second, "t1")).audit.length).toBeLessThan(130);
    // The unique and secondary indexes came back with the rows.
    await expect(second.transaction("t1", (tx) => tx.createResource(user("dup", "U0@example.com")))).rejects.toThrow(
      /unique/,
    );
    expect(await second.findRecordByKey("token", "hash129")).toEqual({
      tenantId: "t2",
      record: { id: "k129", key: "hash129", data: { n: 129 } },
    });
    expect(await second.findRecordByKey("token", "rehash129")).toEqual({
      tenantId: "t2",
      record: { id: "k122", key: "rehash129", data: { n: -129 } },
    });
    expect(await second.findRecordByKey("token", "hash122")).toBeNull();
    expect(await second.findRecordByKey("token", "hash3")).toBeNull();
    // And it keeps going: the next write lands after the replayed ones.
    await second.transaction("t1", (tx) => tx.createResource(user("after", "after@example.com")));
    const third = openAt(dir, { logRetention: 20 });
    open.push(third);
    expect(await dump(third, "t1")).toEqual(await dump(second, "t1"));
  });

  it("keeps every whole record of a journal cut mid-record, and drops the cut one", async () => {
    const dir = tempDir();
    const first = openAt(dir);
    for (let i = 0; i < 10; i++)
      await first.transaction("t", (tx) => tx.createResource(user(`u${i}`, `u${i}@example.com`)));
    const path = segmentPath(dir);
    const whole = readFileSync(path);
    const records = decodeSegment(whole);
    expect(records.records.map((r) => r.lsn)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const lastStart = whole.lastIndexOf(0x0a, whole.length - 2) + 1;

    for (const cut of [whole.length - 1, lastStart + 30, lastStart + 5]) {
      truncateSync(path, cut);
      const reopened = openAt(dir);
      const ids = (await dump(reopened, "t")).users.map((u) => u.id);
      expect(ids).toEqual(["u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"]);
      // The torn bytes are gone, so the next record starts on a clean boundary.
      expect(statSync(path).size).toBe(lastStart);
      writeFileSync(path, whole);
    }

    truncateSync(path, lastStart + 30);
    const reopened = openAt(dir);
    await reopened.transaction("t", (tx) => tx.createResource(user("next", "next@example.com")));
    const again = openAt(dir);
    expect((await dump(again, "t")).users.map((u) => u.id)).toEqual([
      "u0",
      "u1",
      "u2",
      "u3",
      "u4",
      "u5",
      "u6",
      "u7",
      "u8",
      "next",
    ]);
  });

  it("stops at a record whose checksum does not match, keeping those before it", async () => {
    const dir = tempDir();
    const first = openAt(dir);
    for (let i = 0; i < 10; i++)
      await first.transaction("t", (tx) => tx.createResource(user(`u${i}`, `u${i}@example.com`)));
    const path = segmentPath(dir);
    const bytes = readFileSync(path);
    // The sixth record's payload: one character changed, the length and the line still intact.
    let start = 0;
    for (let n = 0; n < 5; n++) start = bytes.indexOf(0x0a, start) + 1;
    const at = bytes.indexOf("u5@example.com", start);
    bytes[at] = "v".charCodeAt(0);
    writeFileSync(path, bytes);

    const reopened = openAt(dir);
    expect((await dump(reopened, "t")).users.map((u) => u.id)).toEqual(["u0", "u1", "u2", "u3", "u4"]);
    expect(statSync(path).size).toBe(start);
  });

  it("refuses a damaged segment that is not the last one rather than lose what follows it", async () => {
    const dir = tempDir();
    const first = openAt(dir, { compactAfterBytes: 1 });
    for (let i = 0; i < 6; i++)
      await first.transaction("t", (tx) => tx.createResource(user(`u${i}`, `u${i}@example.com`)));
    await first.close?.();
    const second = openAt(dir, { compactAfterBytes: 1_000_000 });
    for (let i = 6; i < 9; i++)
      await second.transaction("t", (tx) => tx.createResource(user(`u${i}`, `u${i}@example.com`)));
    // A snapshot and one segment; put back an older snapshot-less history: two segments, first damaged.
    const [only] = segments(dir);
    expect(only).toBeDefined();
    rmSync(join(dir, "scimkit.json"));
    writeFileSync(join(dir, "scimkit-0000000000000001.journal"), "00000010 00000000 {not a record}\n");
    expect(() => openAt(dir)).toThrow(/damaged journal segment/);
  });

  it("writes nothing for a unit of work that fails, and keeps the memory as it was", async () => {
    const dir = tempDir();
    const syncs = { count: 0 };
    const io: FileIo = { ...nodeFileIo, datasync: (fd) => (syncs.count++, nodeFileIo.datasync(fd)) };
    const store = openAt(dir, {}, io);
    open.push(store);
    await store.transaction("t", (tx) => tx.createResource(user("u1", "u1@example.com")));
    const path = segmentPath(dir);
    const size = statSync(path).size;
    const before = { syncs: syncs.count, state: await dump(store, "t") };

    await expect(
      store.transaction("t", async (tx) => {
        await tx.createResource(user("u2", "u2@example.com"));
        await tx.appendLog("audit", entry("u2"));
        await tx.deleteResource("User", "u1");
        throw new Error("policy said no");
      }),
    ).rejects.toThrow("policy said no");
    await expect(store.transaction("t", (tx) => tx.createResource(user("u3", "U1@example.com")))).rejects.toThrow(
      /unique/,
    );

    expect(statSync(path).size).toBe(size);
    expect(syncs.count).toBe(before.syncs);
    expect(await dump(store, "t")).toEqual(before.state);
    expect(await dump(openAt(dir), "t")).toEqual(before.state);
  });

  it("refuses further work once a flush fails, and never acknowledges the write it was flushing", async () => {
    const dir = tempDir();
    let fail = false;
    const io: FileIo = {
      ...nodeFileIo,
      datasync: (fd) => (fail ? Promise.reject(new Error("EIO: disk gone")) : nodeFileIo.datasync(fd)),
    };
    const store = openAt(dir, {}, io);
    await store.transaction("t", (tx) => tx.createResource(user("u1", "u1@example.com")));
    fail = true;
    await expect(store.transaction("t", (tx) => tx.createResource(user("u2", "u2@example.com")))).rejects.toThrow(
      "EIO",
    );
    fail = false;
    await expect(store.transaction("t", (tx) => tx.createResource(user("u3", "u3@example.com")))).rejects.toThrow(
      /journal could not be written/,
    );
    await expect(store.transaction("t", (tx) => tx.getResource("User", "u1"), { readOnly: true })).rejects.toThrow(
      /restart/,
    );
    const reopened = openAt(dir);
    const ids = (await dump(reopened, "t")).users.map((u) => u.id);
    expect(ids).not.toContain("u3");
    expect(ids).toContain("u1");
  });
});

describe("memory store group commit", () => {
  /** File operations whose flushes wait for `open()`, logging what was written and what was flushed. */
  function gatedIo() {
    const written: string[] = [];
    const durable = new Set<string>();
    let datasyncs = 0;
    let gate: Promise<void> | undefined;
    let openGate = () => {};
    const io: FileIo = {
      ...nodeFileIo,
      async write(fd, data) {
        written.push(Buffer.from(data).toString("utf8"));
        await nodeFileIo.write(fd, data);
      },
      async datasync(fd) {
        datasyncs++;
        const upTo = written.length;
        if (gate) await gate;
        await nodeFileIo.datasync(fd);
        for (const text of written.slice(0, upTo))
          for (const m of text.matchAll(/"userName":"([^"]+)"/g)) if (m[1]) durable.add(m[1]);
      },
    };
    return {
      io,
      durable,
      get datasyncs() {
        return datasyncs;
      },
      hold() {
        gate = new Promise((r) => (openGate = r));
      },
      release() {
        gate = undefined;
        openGate();
      },
    };
  }

  it("flushes commits that arrive during a flush together, and resolves none before its flush", async () => {
    const dir = tempDir();
    const fs = gatedIo();
    const store = openAt(dir, {}, fs.io);
    open.push(store);
    fs.hold();
    const resolved: string[] = [];
    const commits = Array.from({ length: 40 }, (_, i) => {
      const name = `c${i}@example.com`;
      return store
        .transaction("t", (tx) => tx.createResource(user(`c${i}`, name)))
        .then(() => {
          // Resolution comes after the flush that carried this unit's record.
          expect(fs.durable.has(name)).toBe(true);
          resolved.push(name);
        });
    });
    await until(() => fs.datasyncs === 1, "the first flush");
    await new Promise((r) => setTimeout(r, 50));
    // The first flush is held: the other commits queue behind it, and none is acknowledged.
    expect(resolved).toEqual([]);
    fs.release();
    await Promise.all(commits);
    expect(resolved).toHaveLength(40);
    // One flush for the first commit, one for the 39 that queued behind it.
    expect(fs.datasyncs).toBe(2);
  });

  it("answers a read only once the writes it may have seen are flushed", async () => {
    const dir = tempDir();
    const fs = gatedIo();
    const store = openAt(dir, {}, fs.io);
    open.push(store);
    fs.hold();
    const write = store.transaction("t", (tx) => tx.createResource(user("w", "w@example.com")));
    await until(() => fs.datasyncs === 1, "the flush");
    let answered = false;
    const read = store
      .transaction("t", (tx) => tx.getResource("User", "w"), { readOnly: true })
      .then((r) => ((answered = true), r));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    fs.release();
    expect((await read)?.id).toBe("w");
    await write;
  });

  it("needs far fewer flushes than commits under concurrency, on the real file system", async () => {
    const dir = tempDir();
    let datasyncs = 0;
    const io: FileIo = { ...nodeFileIo, datasync: (fd) => (datasyncs++, nodeFileIo.datasync(fd)) };
    const store = openAt(dir, {}, io);
    open.push(store);
    const n = 400;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        store.transaction("t", async (tx) => {
          await tx.createResource(user(`p${i}`, `p${i}@example.com`));
          await tx.appendLog("audit", entry(`p${i}`));
        }),
      ),
    );
    expect(datasyncs).toBeGreaterThan(0);
    expect(datasyncs).toBeLessThan(n / 4);
    expect(decodeSegment(readFileSync(segmentPath(dir))).records).toHaveLength(n);
  });
});

describe("memory store compaction", () => {
  it("writes a snapshot, drops the older segments, and reopens to the same state (after a crash or a close)", async () => {
    const dir = tempDir();
    const store = openAt(dir, { compactAfterBytes: 4_000, logRetention: 30 });
    await workload(store, 60);
    await until(() => existsSync(join(dir, "scimkit.json")) && segments(dir).length === 1, "a compaction");
    // Between compactions: a snapshot plus one segment whose records follow it.
    const snapshot = JSON.parse(readFileSync(join(dir, "scimkit.json"), "utf8")) as { lsn: number };
    const first = decodeSegment(readFileSync(segmentPath(dir))).records[0];
    if (first) expect(first.lsn).toBe(snapshot.lsn + 1);
    await workload(store, 10, "more-");
    const live = { t1: await dump(store, "t1"), t2: await dump(store, "t2") };

    const crashed = openAt(dir, { logRetention: 30 });
    expect({ t1: await dump(crashed, "t1"), t2: await dump(crashed, "t2") }).toEqual(live);

    await store.close?.();
    expect(segments(dir)).toHaveLength(1);
    expect(statSync(segmentPath(dir)).size).toBe(0);
    const reopened = openAt(dir, { logRetention: 30 });
    open.push(reopened);
    expect({ t1: await dump(reopened, "t1"), t2: await dump(reopened, "t2") }).toEqual(live);
  });

  for (const step of ["rename", "unlink"] as const) {
    it(`loses nothing when a compaction stops at its ${step}`, async () => {
      const dir = tempDir();
      let broken = false;
      const fail = () => Promise.reject(new Error(`crash at ${step}`));
      const io: FileIo = {
        ...nodeFileIo,
        [step]: (...args: [string, string]) =>
          broken ? fail() : (nodeFileIo[step] as (...a: [string, string]) => Promise<void>)(...args),
      };
      const store = openAt(dir, { compactAfterBytes: 3_000 }, io);
      await workload(store, 20);
      broken = true;
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on("warning", onWarning);
      try {
        await workload(store, 20, "b-");
        await until(() => warnings.some((w) => w.includes(`crash at ${step}`)), "the failed compaction");
      } finally {
        process.off("warning", onWarning);
      }
      const live = { t1: await dump(store, "t1"), t2: await dump(store, "t2") };
      const reopened = openAt(dir);
      open.push(reopened);
      expect({ t1: await dump(reopened, "t1"), t2: await dump(reopened, "t2") }).toEqual(live);
      expect(existsSync(join(dir, "scimkit.json.tmp"))).toBe(false);
    });
  }
});

describe("memory store write cost", () => {
  /** The bytes the journal writes for `writes` replacements of same-shaped users, once the store holds `n` users. */
  async function bytesPerWrite(n: number, writes: number) {
    const dir = tempDir();
    let bytes = 0;
    const io: FileIo = { ...nodeFileIo, write: (fd, data) => ((bytes += data.length), nodeFileIo.write(fd, data)) };
    const store = openAt(dir, { compactAfterBytes: 1 << 30 }, io);
    open.push(store);
    await store.transaction("t", async (tx) => {
      for (let i = 0; i < n; i++)
        await tx.createResource(
          user(`id-${String(i).padStart(6, "0")}`, `user-${String(i).padStart(6, "0")}@example.com`),
        );
    });
    bytes = 0;
    for (let i = 0; i < writes; i++) {
      await store.transaction("t", (tx) =>
        tx.replaceResource(
          user(
            `id-${String(i).padStart(6, "0")}`,
            `user-${String(i).padStart(6, "0")}@example.com`,
            { active: false },
            2,
          ),
        ),
      );
    }
    return bytes / writes;
  }

  it("appends the same bytes per write whether the store holds 100 or 20,000 users", async () => {
    const small = await bytesPerWrite(100, 50);
    const large = await bytesPerWrite(20_000, 50);
    expect(large).toBe(small);
    expect(small).toBeLessThan(400);
  });
});

describe("memory store files", () => {
  it("reads the single-file snapshot earlier versions wrote", async () => {
    const dir = tempDir();
    const legacy = {
      format: 1,
      tenants: [
        {
          id: "t",
          resources: [user("u1", "u1@example.com"), group("g1", "G")],
          members: [["g1", [{ value: "u1", type: "User" }]]],
        },
      ],
      records: [{ kind: "token", tenantId: "t", record: { id: "k", key: "h", data: {} } }],
      logs: { audit: [{ tenantId: "t", entry: { ...entry("u1"), seq: 1 } }], events: [] },
      seq: 1,
    };
    writeFileSync(join(dir, "scimkit.json"), JSON.stringify(legacy));
    const store = createMemoryStore({ directory: dir });
    open.push(store);
    expect(
      (await store.transaction("t", (tx) => tx.getResource("User", "u1", { groups: true }), { readOnly: true }))
        ?.groups,
    ).toEqual([{ groupId: "g1", display: "G" }]);
    expect(await store.transaction("t", (tx) => tx.appendLog("audit", entry("u1")))).toBe(2);
  });

  it("keeps accepting `file`: the snapshot under that name, the journal beside it", async () => {
    const dir = tempDir();
    const file = join(dir, "nested", "store.json");
    const first = createMemoryStore({ file });
    await first.transaction("t", (tx) => tx.createResource(user("u1", "u1@example.com")));
    expect(readdirSync(join(dir, "nested"))).toEqual(["store-0000000000000001.journal"]);
    const crashed = createMemoryStore({ file });
    expect(await dump(crashed, "t")).toEqual(await dump(first, "t"));
    await first.close?.();
    expect(readdirSync(join(dir, "nested")).sort()).toEqual(["store-0000000000000002.journal", "store.json"]);
    const reopened = createMemoryStore({ file });
    open.push(reopened);
    expect((await dump(reopened, "t")).users.map((u) => u.id)).toEqual(["u1"]);
  });

  it("computes the same CRC-32 with or without zlib's", () => {
    const samples = [
      Buffer.from(""),
      Buffer.from("123456789"),
      Buffer.from(JSON.stringify({ a: "é✓", b: [1, 2, 3] })),
      Buffer.alloc(4096, 7),
    ];
    for (const s of samples) expect(crc32Portable(s)).toBe(crc32(s));
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });
});

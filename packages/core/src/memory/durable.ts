/**
 * The memory store's files: a snapshot (`scimkit.json` by default) and the journal segments written
 * since, beside it (`scimkit-<first lsn>.journal`).
 *
 * Opening loads the snapshot, replays every journal record after it, and cuts a torn tail off the
 * last segment. Each committed write unit is then appended and flushed before its caller hears of
 * it. Once the current segment outgrows both `compactAfterBytes` and the last snapshot, a
 * compaction runs in the background: a new segment starts, the state as of the last record before
 * it is written to `scimkit.json.tmp`, flushed, renamed over `scimkit.json` and the directory
 * flushed; only then are the older segments removed. A crash at any step leaves either the old
 * snapshot with every segment or the new snapshot with the segments after it: nothing committed is
 * lost. Comparing with the last snapshot's size keeps compaction's O(N) cost amortised over at
 * least as many bytes of writes, so a write's cost does not grow with the store.
 */
import {
  closeSync,
  ftruncateSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { syncDirectorySync, type FileIo } from "./io.js";
import { decodeSegment, encodeRecord, JournalWriter, segmentNames, type SegmentNames } from "./journal.js";
import { applyRedo, type RedoOp } from "./redo.js";
import { capture, loadSnapshot, writeCapture } from "./snapshot.js";
import { trimLogs, type MemoryState } from "./state.js";

export interface DurableOptions {
  readonly directory: string;
  /** The snapshot's file name in `directory`; the journal's segments take its name without `.json`. */
  readonly snapshot: string;
  readonly compactAfterBytes: number;
  readonly logRetention: number;
  readonly io: FileIo;
}

export interface Durable {
  readonly state: MemoryState;
  /**
   * Journals a unit's changes; call synchronously once the unit has applied them to `state` (at
   * the commit boundary, under the write lock). Resolves once they are on the device.
   */
  commit(tenantId: string, ops: readonly RedoOp[]): Promise<void>;
  /** Resolves once every unit committed so far is on the device. */
  settled(): Promise<void>;
  /** The error that stopped the journal, if any: the store refuses work after it. */
  readonly failure: unknown;
  /** Flushes, compacts when the journal holds anything, and closes the files. */
  close(): Promise<void>;
}

const segmentsIn = (dir: string, names: SegmentNames) =>
  readdirSync(dir)
    .flatMap((name) => {
      const firstLsn = names.firstLsn(name);
      return firstLsn === undefined ? [] : [{ name, firstLsn }];
    })
    .sort((a, b) => a.firstLsn - b.firstLsn);

export function openDurable(options: DurableOptions): Durable {
  const { directory: dir, io } = options;
  const SNAPSHOT = options.snapshot;
  const TEMPORARY = `${SNAPSHOT}.tmp`;
  const names = segmentNames(SNAPSHOT.replace(/\.json$/, ""));
  mkdirSync(dir, { recursive: true });
  try {
    unlinkSync(join(dir, TEMPORARY));
  } catch (error) {
    // ENOENT: no compaction was cut short.
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const loaded = loadSnapshot(join(dir, SNAPSHOT));
  const state = loaded.state;
  let snapshotBytes = loaded.bytes;

  const segments = segmentsIn(dir, names);
  let current: { name: string; bytes: number } | undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (!segment) continue;
    const path = join(dir, segment.name);
    const next = segments[i + 1];
    // Wholly before the snapshot: left over from a compaction that was cut short.
    if (next && next.firstLsn <= state.lsn + 1) {
      unlinkSync(path);
      continue;
    }
    if (segment.firstLsn > state.lsn + 1)
      throw new Error(`${path}: the journal lacks records ${state.lsn + 1} to ${segment.firstLsn - 1}`);
    const decoded = decodeSegment(readFileSync(path));
    for (const record of decoded.records) {
      if (record.lsn <= state.lsn) continue;
      if (record.lsn !== state.lsn + 1) throw new Error(`${path}: record ${record.lsn} follows record ${state.lsn}`);
      applyRedo(state, record);
      trimLogs(state, options.logRetention);
    }
    if (decoded.stop !== undefined) {
      // Only the last segment can end in a record cut short by a crash: older ones were flushed
      // whole before the next one started.
      if (next) throw new Error(`${path}: damaged journal segment (${decoded.stop})`);
      const fd = openSync(path, "r+");
      try {
        ftruncateSync(fd, decoded.validBytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    current = { name: segment.name, bytes: decoded.validBytes };
  }
  if (!current) {
    current = { name: names.name(state.lsn + 1), bytes: 0 };
    closeSync(openSync(join(dir, current.name), "a", 0o600));
    syncDirectorySync(dir);
  }

  const writer = new JournalWriter(io, dir, names, openSync(join(dir, current.name), "a", 0o600), current.bytes);
  let compacting: Promise<void> | undefined;
  let closed = false;

  /** Starts a new segment at the current position, snapshots the state there, drops older segments. */
  async function compact(): Promise<void> {
    const snap = capture(state);
    await writer.rotate(snap.lsn + 1);
    const bytes = await writeCapture(io, join(dir, TEMPORARY), snap);
    await io.rename(join(dir, TEMPORARY), join(dir, SNAPSHOT));
    await io.syncDirectory(dir);
    snapshotBytes = bytes;
    for (const { name, firstLsn } of segmentsIn(dir, names)) if (firstLsn <= snap.lsn) await io.unlink(join(dir, name));
  }

  const startCompaction = () => {
    compacting = compact()
      .catch((error: unknown) => {
        // The journal still holds everything: the next compaction tries again.
        process.emitWarning(
          `scimkit memory store: compaction failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => {
        compacting = undefined;
      });
  };

  return {
    state,
    commit(tenantId, ops) {
      if (closed) return Promise.reject(new Error("the memory store is closed"));
      // Encoded first: should it throw, the unit rolls back and its number is not used up.
      const record = encodeRecord({ lsn: state.lsn + 1, tenantId, ops });
      state.lsn += 1;
      const done = writer.append(record);
      if (
        !compacting &&
        writer.failure === undefined &&
        writer.segmentBytes >= Math.max(options.compactAfterBytes, snapshotBytes)
      )
        startCompaction();
      return done;
    },
    settled: () => writer.settled(),
    get failure() {
      return writer.failure;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await compacting;
        await writer.settled();
        if (writer.segmentBytes > 0) await compact();
      } finally {
        await writer.close();
      }
    },
  };
}

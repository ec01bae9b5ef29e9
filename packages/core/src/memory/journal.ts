/**
 * The memory store's journal: every committed write unit appended as one record and flushed to the
 * device before the unit's caller hears of it.
 *
 * Record format, one per line so the file stays readable:
 *
 *     LLLLLLLL CCCCCCCC {"lsn":…,"tenantId":…,"ops":[…]}\n
 *
 * `L` is the payload's length in bytes and `C` its CRC-32, both as 8 hex digits; the payload is
 * the JSON of a {@link RedoRecord}. A record cut short by a crash (or damaged) fails the length,
 * newline or checksum test: loading keeps every record before it and drops it and what follows.
 *
 * The journal is a series of segments, `scimkit-<first lsn>.journal`: compaction starts a new
 * segment, writes a snapshot of everything before it, then removes the older segments. (`scimkit`
 * is the snapshot's file name without `.json`.)
 *
 * Group commit: appends queue while a flush runs, and the next flush writes and syncs all of them
 * at once, so N concurrent commits cost far fewer than N flushes.
 */
import { join } from "node:path";
import { crc32 } from "./crc32.js";
import type { FileIo } from "./io.js";
import type { RedoRecord } from "./redo.js";

const HEADER = 18;
const NEWLINE = 0x0a;
const HEX8 = /^[0-9a-f]{8}$/;

/** How the segments beside the snapshot `<stem>.json` are named: `<stem>-<first lsn, 16 digits>.journal`. */
export interface SegmentNames {
  name(firstLsn: number): string;
  /** The first lsn of the segment called `fileName`, or undefined when it is no segment of this journal. */
  firstLsn(fileName: string): number | undefined;
}

export function segmentNames(stem: string): SegmentNames {
  const prefix = `${stem}-`;
  const digits = /^\d{16}\.journal$/;
  return {
    name: (firstLsn) => `${prefix}${String(firstLsn).padStart(16, "0")}.journal`,
    firstLsn(fileName) {
      if (!fileName.startsWith(prefix)) return undefined;
      const rest = fileName.slice(prefix.length);
      return digits.test(rest) ? Number(rest.slice(0, 16)) : undefined;
    },
  };
}

/** One record's bytes. */
export function encodeRecord(record: RedoRecord): Buffer {
  const body = Buffer.from(JSON.stringify(record), "utf8");
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  const out = Buffer.allocUnsafe(HEADER + body.length + 1);
  out.write(`${hex(body.length)} ${hex(crc32(body))} `, 0, "latin1");
  body.copy(out, HEADER);
  out[HEADER + body.length] = NEWLINE;
  return out;
}

export interface DecodedSegment {
  readonly records: RedoRecord[];
  /** Bytes up to the end of the last valid record. */
  readonly validBytes: number;
  /** Why reading stopped before the end of the file, if it did. */
  readonly stop?: string;
}

/** The valid records at the start of a segment's bytes. */
export function decodeSegment(bytes: Uint8Array): DecodedSegment {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: RedoRecord[] = [];
  let at = 0;
  const stopped = (stop: string): DecodedSegment => ({ records, validBytes: at, stop: `${stop} at byte ${at}` });
  while (at < buf.length) {
    if (buf.length - at < HEADER) return stopped("a cut header");
    const header = buf.toString("latin1", at, at + HEADER);
    const lengthHex = header.slice(0, 8);
    const crcHex = header.slice(9, 17);
    if (!HEX8.test(lengthHex) || !HEX8.test(crcHex) || header[8] !== " " || header[17] !== " ")
      return stopped("a bad header");
    const length = Number.parseInt(lengthHex, 16);
    const end = at + HEADER + length;
    if (end + 1 > buf.length) return stopped("a cut record");
    if (buf[end] !== NEWLINE) return stopped("a record without its end");
    const body = buf.subarray(at + HEADER, end);
    if (crc32(body) !== Number.parseInt(crcHex, 16)) return stopped("a checksum mismatch");
    let record: RedoRecord;
    try {
      record = JSON.parse(body.toString("utf8")) as RedoRecord;
    } catch {
      return stopped("a record that is not JSON");
    }
    if (typeof record.lsn !== "number" || !Array.isArray(record.ops)) return stopped("a record of another shape");
    records.push(record);
    at = end + 1;
  }
  return { records, validBytes: at };
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Every waiter sees the rejection; this only keeps a batch nobody waits for from being reported
  // as an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

type Job =
  | { readonly kind: "batch"; readonly parts: Buffer[]; readonly done: Deferred }
  | { readonly kind: "rotate"; readonly firstLsn: number; readonly done: Deferred };

/** Appends records to the current segment with group commit, and starts new segments. */
export class JournalWriter {
  readonly #io: FileIo;
  readonly #dir: string;
  readonly #names: SegmentNames;
  #fd: number;
  readonly #queue: Job[] = [];
  #running = false;
  #last: Promise<void> = Promise.resolve();
  #error: unknown;
  #closed = false;
  /** Bytes appended (or queued) to the current segment. */
  #segmentBytes: number;

  constructor(io: FileIo, dir: string, names: SegmentNames, fd: number, segmentBytes: number) {
    this.#io = io;
    this.#dir = dir;
    this.#names = names;
    this.#fd = fd;
    this.#segmentBytes = segmentBytes;
  }

  /** Bytes in the current segment, counting those queued. */
  get segmentBytes(): number {
    return this.#segmentBytes;
  }

  /** The error that stopped the journal, if one did: nothing is written after it. */
  get failure(): unknown {
    return this.#error;
  }

  /** Queues `record`; resolves once it is on the device. */
  append(record: Buffer): Promise<void> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#closed) return Promise.reject(new Error("the journal is closed"));
    this.#segmentBytes += record.length;
    const tail = this.#queue[this.#queue.length - 1];
    if (tail?.kind === "batch") {
      tail.parts.push(record);
      return tail.done.promise;
    }
    const job: Job = { kind: "batch", parts: [record], done: deferred() };
    this.#last = job.done.promise;
    return this.#enqueue(job);
  }

  /**
   * Starts a new segment whose first record will be `firstLsn`: records queued so far go to the
   * current one. Resolves once they are on the device and the new segment exists durably.
   */
  rotate(firstLsn: number): Promise<void> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    this.#segmentBytes = 0;
    const job: Job = { kind: "rotate", firstLsn, done: deferred() };
    this.#last = job.done.promise;
    return this.#enqueue(job);
  }

  /** Resolves once everything queued so far is on the device. */
  settled(): Promise<void> {
    return this.#last;
  }

  /** Flushes what is queued and closes the segment. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#last;
    } finally {
      await this.#io.close(this.#fd);
    }
  }

  #enqueue(job: Job): Promise<void> {
    this.#queue.push(job);
    if (!this.#running) void this.#drain();
    return job.done.promise;
  }

  async #drain(): Promise<void> {
    this.#running = true;
    for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
      try {
        if (job.kind === "batch") {
          await this.#io.write(this.#fd, job.parts.length === 1 ? (job.parts[0] as Buffer) : Buffer.concat(job.parts));
          await this.#io.datasync(this.#fd);
        } else {
          const fd = await this.#io.openAppend(join(this.#dir, this.#names.name(job.firstLsn)));
          await this.#io.syncDirectory(this.#dir);
          const previous = this.#fd;
          this.#fd = fd;
          await this.#io.close(previous);
        }
        job.done.resolve();
      } catch (error) {
        // A write or flush that failed leaves the file in an unknown state: stop here, and fail
        // this job and every one queued behind it. Nothing they carried was acknowledged.
        this.#error = error;
        job.done.reject(error);
        for (const rest of this.#queue.splice(0)) rest.done.reject(error);
        break;
      }
    }
    this.#running = false;
  }
}

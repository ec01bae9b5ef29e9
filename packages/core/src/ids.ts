/**
 * Resource ids: UUIDv7 (RFC 9562), random and time-ordered. Time order makes the contract's default
 * result order (`created`, then `id`) equal to creation order, and never collides across tenants.
 */
import { randomBytes } from "node:crypto";

export type IdGenerator = () => string;

// Random bytes are drawn from the system a few kilobytes at a time: one call per id made the
// system call a visible share of a POST. The bytes are as random either way.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let used = POOL_SIZE;

function randomTen(): Buffer {
  if (used + 10 > pool.length) {
    pool = randomBytes(POOL_SIZE);
    used = 0;
  }
  used += 10;
  return pool.subarray(used - 10, used);
}

/** A generator of time-ordered ids; ids made in the same millisecond still increase. */
export function uuidv7Generator(now: () => number = Date.now): IdGenerator {
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = now();
    if (ms <= lastMs) {
      ms = lastMs;
      counter += 1;
      if (counter > 0xfff) {
        ms = lastMs + 1;
        counter = 0;
      }
    } else counter = 0;
    lastMs = ms;
    const bytes = Buffer.allocUnsafe(16);
    randomTen().copy(bytes, 6);
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/**
 * CRC-32 (the IEEE polynomial zlib and gzip use), for the journal's per-record checksum. Node
 * 20.15+ computes it natively (`zlib.crc32`); older Node 20 releases get the table version below,
 * which gives the same values.
 */
import * as zlib from "node:zlib";

let table: Uint32Array | undefined;

function tableCrc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = (table[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** The CRC-32 of `data`, as an unsigned 32-bit number. */
export const crc32: (data: Uint8Array) => number =
  typeof native === "function" ? (data) => native(data) >>> 0 : tableCrc32;

/** The portable implementation, exported so a test can hold it to the native one. */
export const crc32Portable = tableCrc32;

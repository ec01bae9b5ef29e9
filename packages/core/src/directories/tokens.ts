/**
 * Bearer tokens: 256 bits from the CSPRNG behind a recognisable `scimkit_` prefix (so secret
 * scanners can spot a leaked one), shown once, stored only as a SHA-256 digest. A digest of a
 * 256-bit random secret needs no slow hash: there is nothing to brute-force. Verification compares
 * digests in constant time.
 */
import * as crypto from "node:crypto";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const TOKEN_PREFIX = "scimkit_";

export function mintTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/**
 * `crypto.hash` (Node 20.12+) digests a short input in one call, about a third of the cost of a
 * `Hash` object; every authenticated request digests its token, so older Nodes keep the object.
 * Read from the namespace: a named import of it would fail to load on Node 20.9 to 20.11.
 */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

export function digestToken(token: string): string {
  return oneShot ? oneShot("sha256", token, "hex") : createHash("sha256").update(token, "utf8").digest("hex");
}

export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Random lower-case id with a type prefix, e.g. `dir_…`, `tok_…`. */
export function prefixedId(prefix: string): string {
  return `${prefix}_${randomBytes(15).toString("hex")}`;
}

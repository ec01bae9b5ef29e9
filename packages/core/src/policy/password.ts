/**
 * Password sync. A password pushed by the IdP is write-only: it reaches the host's hook or a salted
 * scrypt hash in the user's internal data, and nothing else — never an attribute, a response, an
 * audit entry, an event or a log line. With sync off it is dropped (the audit notes that one was
 * sent) or refused, as configured.
 */
import type { PolicyOperation } from "../audit/operations.js";
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { ScimError } from "../errors.js";
import type { Journal } from "../engine/journal.js";
import type { JsonObject } from "../store/types.js";
import type { ResolvedPolicy } from "./options.js";

// N = 2^15, r = 8: 32 MiB and a few tens of milliseconds per hash, affordable because IdPs push
// passwords rarely. maxmem is raised because Node's default ceiling is exactly 32 MiB.
const COST: ScryptOptions = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, KEY_LENGTH, options, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url): the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ["scrypt", COST.N, COST.r, COST.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** Compares in constant time; false for anything that is not a hash this module wrote. */
export async function verifyPasswordHash(encoded: string, candidate: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = encoded.split("$");
  if (scheme !== "scrypt" || salt === undefined || hash === undefined) return false;
  const N = Number(n);
  const options: ScryptOptions = {
    N,
    r: Number(r),
    p: Number(p),
    maxmem: Math.max(COST.maxmem ?? 0, 256 * N * Number(r)),
  };
  const expected = Buffer.from(hash, "base64url");
  const actual = await derive(candidate, Buffer.from(salt, "base64url"), options);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Applies the password policy to a User write that carried `password`, before it is written:
 * returns the user's internal data to write (with the hash, when scimkit keeps it). Throws 400 when
 * refused. The host's `onPassword` runs inside the unit of work: a password acknowledged to the IdP
 * must be stored, or the request must fail.
 */
export async function applyPassword(
  journal: Journal,
  policy: Pick<ResolvedPolicy, "passwordSync" | "passwordWhenOff" | "passwordMinLength" | "onPassword">,
  userId: string,
  password: string,
  internal: JsonObject,
): Promise<JsonObject> {
  if (!policy.passwordSync) {
    if (policy.passwordWhenOff === "reject") {
      throw new ScimError(
        400,
        'Attribute "password" is not accepted: this service does not sync passwords',
        "invalidValue",
      );
    }
    journal.audit({
      operation: "policy.password.ignored" satisfies PolicyOperation,
      resourceType: "User",
      resourceId: userId,
      facts: { reason: "passwordSyncOff" },
    });
    return internal;
  }
  // Length in characters as a person counts them, not UTF-16 units.
  if ([...password].length < policy.passwordMinLength) {
    throw new ScimError(
      400,
      `Attribute "password" must be at least ${policy.passwordMinLength} characters long`,
      "invalidValue",
    );
  }
  let next = internal;
  if (policy.onPassword) await policy.onPassword({ tenantId: journal.tenantId, userId, password }, journal.tx);
  else next = { ...internal, passwordHash: await hashPassword(password), passwordChangedAt: journal.at };
  journal.audit({
    operation: "policy.password.set" satisfies PolicyOperation,
    resourceType: "User",
    resourceId: userId,
    facts: { method: policy.onPassword ? "hook" : "hash" },
  });
  return next;
}

/**
 * Reads the PatchOp envelope (RFC 7644 §3.5.2) into a list of operations. Message attribute names
 * are case-insensitive like every SCIM attribute name (RFC 7643 §2.1), so `Operations`,
 * `operations`, `Op` and `Value` all read the same.
 *
 * Open choice, decided: a body without `schemas` is accepted in every profile. The URN carries no
 * information the method and endpoint do not already give, and refusing it would only break a
 * client that forgets it. A `schemas` that is present must name the PatchOp URN, because a body
 * that claims to be something else (e.g. a resource sent by mistake) is a client bug.
 */
import { z } from "zod";
import type { ToleranceContext } from "../compat/tolerances.js";
import { badRequest, type ScimError } from "../errors.js";
import { err, ok, type Result } from "../result.js";
import { URN } from "../schema/urns.js";
import type { PatchOpName } from "./types.js";

/** One operation as the client sent it, with `op` normalised. */
export interface PatchOperation {
  readonly op: PatchOpName;
  /** Absent when the client sent no path, `null` or an empty string. */
  readonly path?: string | undefined;
  /** True when the operation carried a `value` key (even `null`). */
  readonly hasValue: boolean;
  readonly value: unknown;
}

const envelope = z.object({
  schemas: z.array(z.string()).optional(),
  operations: z.array(z.record(z.string(), z.unknown())).min(1),
});

const operation = z.object({
  op: z.string(),
  path: z.string().nullable().optional(),
});

const opNames: readonly PatchOpName[] = ["add", "remove", "replace"];

/** A copy of `object` with its keys lower-cased (the first of two keys differing only in case wins). */
function lowerKeys(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Keys, not entries: no pair array per key for the envelope and each of its operations.
  for (const key of Object.keys(object)) {
    const lower = key.toLowerCase();
    // `__proto__` would set the copy's prototype rather than a key; no message attribute has that name.
    if (lower !== "__proto__" && !Object.hasOwn(out, lower)) out[lower] = object[key];
  }
  return out;
}

function readOp(name: string, tol: ToleranceContext): PatchOpName | undefined {
  if ((opNames as readonly string[]).includes(name)) return name as PatchOpName;
  const lower = name.toLowerCase();
  if (!(opNames as readonly string[]).includes(lower) || !tol.enabled("caseInsensitiveOp")) return undefined;
  tol.fire("caseInsensitiveOp");
  return lower as PatchOpName;
}

export function readPatchBody(body: unknown, tol: ToleranceContext): Result<readonly PatchOperation[], ScimError> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return err(badRequest("invalidSyntax", "The PATCH body must be a JSON object with an Operations array"));
  }
  const parsed = envelope.safeParse(lowerKeys(body as Record<string, unknown>));
  if (!parsed.success) {
    return err(
      badRequest("invalidSyntax", 'The PATCH body needs "Operations": a non-empty array of operation objects'),
    );
  }
  const { schemas, operations } = parsed.data;
  if (schemas && !schemas.some((s) => s.toLowerCase() === URN.PatchOp.toLowerCase())) {
    return err(badRequest("invalidSyntax", `"schemas" must contain "${URN.PatchOp}"`));
  }
  const out: PatchOperation[] = [];
  for (const [index, raw] of operations.entries()) {
    const fields = lowerKeys(raw);
    const read = operation.safeParse(fields);
    if (!read.success) {
      return err(badRequest("invalidSyntax", `Operations[${index}] needs "op" (a string) and at most a string "path"`));
    }
    const op = readOp(read.data.op, tol);
    if (!op) {
      return err(
        badRequest(
          "invalidSyntax",
          `Operations[${index}]: "op" must be "add", "remove" or "replace", not "${read.data.op}"`,
        ),
      );
    }
    const path = read.data.path?.trim();
    const hasValue = Object.hasOwn(fields, "value");
    // Two plain literals, not one with a conditional spread: this runs for every operation of every PATCH.
    out.push(path ? { op, path, hasValue, value: fields["value"] } : { op, hasValue, value: fields["value"] });
  }
  return ok(out);
}

/**
 * The PATCH engine (RFC 7644 §3.5.2): the path grammar, the three operations on every path form,
 * and the IdP tolerances that shape how a PATCH is read.
 *
 * @module
 */
export { planPatch } from "./plan.js";
export { parsePatchPath, type PatchPath, type PathError } from "./path.js";
export { readPatchBody, type PatchOperation } from "./body.js";
export type { MemberChange, PatchOpName, PatchPlan, PatchTarget } from "./types.js";

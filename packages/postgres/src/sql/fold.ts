/**
 * Case folding for case-insensitive comparison. The extracted columns are folded here, in
 * JavaScript, with the same rule core's in-memory evaluator applies, so an indexed SQL answer and an
 * in-memory answer never differ on non-ASCII text. Ad-hoc jsonb paths fall back to SQL `lower()`,
 * which agrees with it for every locale PostgreSQL ships with a Unicode `ctype`.
 */
export const fold = (s: string): string => s.toLowerCase();

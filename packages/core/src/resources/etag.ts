/**
 * RFC 7644 §3.14 versioning: `meta.version` and the `ETag` header are weak entity tags of the
 * stored revision. `If-Match` guards writes (mismatch → 412, nothing written); `If-None-Match`
 * on a read answers 304 when unchanged.
 */
export const etagOf = (version: number): string => `W/"${version}"`;

/** The versions an `If-Match`/`If-None-Match` value names; `"*"` yields `"any"`. Unparseable tags never match. */
export function parseEtags(header: string | null): "any" | number[] | null {
  if (header === null || header.trim() === "") return null;
  if (header.trim() === "*") return "any";
  const out: number[] = [];
  for (const part of header.split(",")) {
    const m = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(part);
    out.push(m?.[1] !== undefined ? Number(m[1]) : -1);
  }
  return out;
}

/** The version a write must find, from `If-Match`; undefined when unconditional. Returns -1 for a tag that can never match. */
export function expectedVersion(ifMatch: string | null, current: number): number | undefined {
  const tags = parseEtags(ifMatch);
  if (tags === null || tags === "any") return undefined;
  return tags.includes(current) ? current : -1;
}

export function notModified(ifNoneMatch: string | null, current: number): boolean {
  const tags = parseEtags(ifNoneMatch);
  return tags === "any" || (Array.isArray(tags) && tags.includes(current));
}

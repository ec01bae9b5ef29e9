/**
 * A sorted (key, id) list for prefix queries (`userName sw "…"`): binary search to the first key with
 * the prefix, then a walk while keys keep it. Inserts and removals are a binary search plus one
 * `splice` (a memmove), cheap next to the request around them even at 100,000 entries.
 */
export class SortedIndex {
  readonly #keys: string[] = [];
  readonly #ids: string[] = [];

  /** Position of the first entry not before (key, id). */
  #lowerBound(key: string, id: string): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const k = this.#keys[mid] ?? "";
      if (k < key || (k === key && (this.#ids[mid] ?? "") < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(key: string, id: string): void {
    const at = this.#lowerBound(key, id);
    this.#keys.splice(at, 0, key);
    this.#ids.splice(at, 0, id);
  }

  delete(key: string, id: string): void {
    const at = this.#lowerBound(key, id);
    if (this.#keys[at] === key && this.#ids[at] === id) {
      this.#keys.splice(at, 1);
      this.#ids.splice(at, 1);
    }
  }

  /** Ids whose key starts with `prefix`, in key order. */
  withPrefix(prefix: string): string[] {
    const out: string[] = [];
    for (let i = this.#lowerBound(prefix, ""); i < this.#keys.length && (this.#keys[i] ?? "").startsWith(prefix); i++) {
      const id = this.#ids[i];
      if (id !== undefined) out.push(id);
    }
    return out;
  }

  get size(): number {
    return this.#keys.length;
  }
}

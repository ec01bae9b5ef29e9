/**
 * A sorted (key, id) list for prefix queries (`userName sw "…"`): binary search to the first key with
 * the prefix, then a walk while keys keep it.
 *
 * Entries live in blocks of at most {@link BLOCK} pairs, so an insert or a removal moves at most one
 * block's worth of entries. One flat array would move half of N entries per insert: at 100,000 users
 * that `splice` was over a third of a POST's CPU.
 */
const BLOCK = 512;

interface Block {
  keys: string[];
  ids: string[];
}

const before = (k: string, i: string, key: string, id: string): boolean => k < key || (k === key && i < id);

export class SortedIndex {
  #blocks: Block[] = [];
  #size = 0;

  /** Index of the first block whose last entry is not before (key, id); `#blocks.length` if none. */
  #blockFor(key: string, id: string): number {
    let lo = 0;
    let hi = this.#blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const b = this.#blocks[mid] as Block;
      const last = b.keys.length - 1;
      if (before(b.keys[last] ?? "", b.ids[last] ?? "", key, id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position in `block` of the first entry not before (key, id). */
  static #lowerBound(block: Block, key: string, id: string): number {
    let lo = 0;
    let hi = block.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(block.keys[mid] ?? "", block.ids[mid] ?? "", key, id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(key: string, id: string): void {
    this.#size++;
    if (this.#blocks.length === 0) {
      this.#blocks.push({ keys: [key], ids: [id] });
      return;
    }
    // Past every block's last entry: append to the last block.
    const b = Math.min(this.#blockFor(key, id), this.#blocks.length - 1);
    const block = this.#blocks[b] as Block;
    const at = SortedIndex.#lowerBound(block, key, id);
    block.keys.splice(at, 0, key);
    block.ids.splice(at, 0, id);
    if (block.keys.length > BLOCK) {
      const half = block.keys.length >> 1;
      this.#blocks.splice(b + 1, 0, { keys: block.keys.splice(half), ids: block.ids.splice(half) });
    }
  }

  delete(key: string, id: string): void {
    const b = this.#blockFor(key, id);
    const block = this.#blocks[b];
    if (!block) return;
    const at = SortedIndex.#lowerBound(block, key, id);
    if (block.keys[at] !== key || block.ids[at] !== id) return;
    block.keys.splice(at, 1);
    block.ids.splice(at, 1);
    this.#size--;
    if (block.keys.length === 0) this.#blocks.splice(b, 1);
  }

  /** Ids whose key starts with `prefix`, in key order. */
  withPrefix(prefix: string): string[] {
    const out: string[] = [];
    for (let b = this.#blockFor(prefix, ""); b < this.#blocks.length; b++) {
      const block = this.#blocks[b] as Block;
      for (let i = SortedIndex.#lowerBound(block, prefix, ""); i < block.keys.length; i++) {
        if (!(block.keys[i] ?? "").startsWith(prefix)) return out;
        const id = block.ids[i];
        if (id !== undefined) out.push(id);
      }
    }
    return out;
  }

  get size(): number {
    return this.#size;
  }
}

/**
 * A short-lived cache of what authentication reads from the store: token digest → token and
 * directory, directory id → directory. On a SQL store those are two queries before the request's
 * own, a third of a GET by id on an embedded database.
 *
 * Correctness does not rest on the cache: revocation and expiry are checked on every request
 * against the cached token, and every admin write of this server clears it, so a revoked token or a
 * disabled directory takes effect at once here. Another app instance sharing the store sees such
 * a change within the time-to-live.
 */
import type { Directory, TokenInfo } from "./model.js";

interface Entry<T> {
  readonly value: T;
  readonly until: number;
}

/** Past this many entries the cache starts over, so unbounded distinct tokens cannot grow it. */
const MAX_ENTRIES = 10_000;

export class AuthCache {
  readonly #tokens = new Map<string, Entry<{ readonly info: TokenInfo; readonly directory: Directory }>>();
  readonly #directories = new Map<string, Entry<Directory>>();
  #generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number,
  ) {}

  token(digest: string): { readonly info: TokenInfo; readonly directory: Directory } | undefined {
    return this.#fresh(this.#tokens, digest);
  }

  directory(id: string): Directory | undefined {
    return this.#fresh(this.#directories, id);
  }

  /**
   * Read before going to the store, and handed back to `put*`: a value read before an admin write
   * cleared the cache is stale, and must not be cached after the clear.
   */
  get generation(): number {
    return this.#generation;
  }

  putToken(generation: number, digest: string, info: TokenInfo, directory: Directory): void {
    if (generation === this.#generation) this.#put(this.#tokens, digest, { info, directory });
  }

  putDirectory(generation: number, directory: Directory): void {
    if (generation === this.#generation) this.#put(this.#directories, directory.id, directory);
  }

  clear(): void {
    this.#generation += 1;
    this.#tokens.clear();
    this.#directories.clear();
  }

  #fresh<T>(map: Map<string, Entry<T>>, key: string): T | undefined {
    const hit = map.get(key);
    if (!hit) return undefined;
    if (hit.until > this.clock()) return hit.value;
    map.delete(key);
    return undefined;
  }

  #put<T>(map: Map<string, Entry<T>>, key: string, value: T): void {
    if (this.ttlMs <= 0) return;
    if (map.size >= MAX_ENTRIES) map.clear();
    map.set(key, { value, until: this.clock() + this.ttlMs });
  }
}

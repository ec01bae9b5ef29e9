/**
 * A per-directory token bucket: one noisy directory (an IdP's initial import, a retry storm) is
 * answered 429 with `Retry-After` — which Okta and Entra honour by slowing down — instead of
 * starving the other directories of the same app. Counted in this process.
 */
import { ScimError } from "../errors.js";

export interface RateLimit {
  /** Requests per second each directory may sustain. */
  readonly perSecond: number;
  /** Requests a directory may send at once after being idle. @default 2 × perSecond */
  readonly burst?: number | undefined;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #burst: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!(limit.perSecond > 0)) throw new RangeError("rateLimit.perSecond must be a positive number");
    this.#burst = limit.burst ?? 2 * limit.perSecond;
  }

  /** Takes one request's token for `key`, or throws the 429 to answer. */
  take(key: string): void {
    const now = this.clock();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond));
    throw new ScimError(429, "Too many requests from this directory; retry later", undefined, {
      "retry-after": String(wait),
    });
  }
}

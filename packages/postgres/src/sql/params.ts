/** Collects statement parameters and hands out their `$n` placeholders, so values never enter SQL text. */
import type { SqlParam } from "../driver.js";

export class Params {
  readonly values: SqlParam[] = [];

  /** Binds `value` and returns its placeholder, e.g. `$3`. */
  add(value: SqlParam): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /**
   * Binds a string and returns its placeholder cast to text: operators such as `->` and functions
   * such as `lower` are overloaded, so an untyped parameter would be ambiguous.
   */
  text(value: string): string {
    return `${this.add(value)}::text`;
  }
}

/**
 * Seeding under a time budget. Some servers get slower with every item (SCIMMY rewrites the whole
 * group on each member PATCH), so every seeding step stops when its budget is spent and reports how
 * far it got instead of running for hours.
 */
import { performance } from "node:perf_hooks";

export interface StepOutcome {
  /** Items done before the count or the budget ran out. */
  readonly done: number;
  readonly seconds: number;
}

/**
 * Runs `step(from, to)` over `[0, count)` in batches of `batch`, stopping early once `budgetMs` has
 * passed. `progress` hears about each batch, at most about once a second.
 */
export async function withinBudget(
  count: number,
  batch: number,
  budgetMs: number,
  step: (from: number, to: number) => Promise<void> | void,
  progress: (done: number) => void = () => {},
): Promise<StepOutcome> {
  const started = performance.now();
  let done = 0;
  let told = started;
  while (done < count && performance.now() - started < budgetMs) {
    const to = Math.min(count, done + batch);
    await step(done, to);
    done = to;
    const now = performance.now();
    if (now - told > 1000) {
      progress(done);
      told = now;
    }
  }
  return { done, seconds: (performance.now() - started) / 1000 };
}

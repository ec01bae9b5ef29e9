/** The figures and the status rules of the summary. */
import type { Attempt } from "./client.js";
import type { Fault } from "./faults.js";

/** The p-th percentile (nearest rank) of a list of milliseconds, "-" when empty. */
export function percentile(values: readonly number[], p: number): string {
  if (values.length === 0) return "-";
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return String(sorted[rank - 1]);
}

/**
 * 500 is never acceptable; 503 (with Retry-After) only while a fault is in force: an attempt that
 * was in flight at some moment between a fault's injection and its recovery. Any other 5xx is a
 * violation too.
 */
/** An attempt in flight at some moment between a fault's injection and its recovery. */
export const inFaultWindow = (a: Attempt, faults: readonly Fault[]) =>
  faults.some((f) => a.doneAt >= f.injectedAt && a.sentAt <= (f.recoveredAt ?? Number.POSITIVE_INFINITY));

export function statusViolations(attempts: readonly Attempt[], faults: readonly Fault[]): string[] {
  const out: string[] = [];
  const inWindow = (a: Attempt) => inFaultWindow(a, faults);
  const bad = new Map<string, Attempt[]>();
  for (const a of attempts) {
    if (a.status === null || a.status < 500) continue;
    if (a.status === 503 && inWindow(a)) continue;
    const key = a.status === 503 ? "503 outside every fault window" : `${a.status}`;
    bad.set(key, [...(bad.get(key) ?? []), a]);
  }
  for (const [key, list] of bad) {
    const first = list[0];
    out.push(
      `${list.length} × ${key}${first ? ` (first: ${first.label} on app ${first.app} at ${new Date(first.sentAt).toISOString()}, request id ${first.requestId})` : ""}`,
    );
  }
  return out;
}

/** scimkit's JSON log lines of the apps, counted by message and error name. */
export function logSummary(lines: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const json = line.slice(line.indexOf("{"));
    let key = "other output";
    try {
      const parsed = JSON.parse(json) as { message?: unknown; data?: { error?: { name?: unknown } } };
      key = `${String(parsed.message)}${parsed.data?.error?.name ? ` (${String(parsed.data.error.name)})` : ""}`;
    } catch {
      // Not a log line of scimkit's: a crash's output, listed below.
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} × ${n}`).join("; ") || "none";
}

/** Markdown tables padded to line up, so the same text reads well in a terminal and renders on a page. */

export type Align = "left" | "right";

const width = (s: string) => [...s].length;

function pad(cell: string, size: number, align: Align): string {
  const fill = " ".repeat(Math.max(0, size - width(cell)));
  return align === "right" ? fill + cell : cell + fill;
}

export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const escapeCell = (s: string) => s.replace(/\|/g, "\\|");
  const head = headers.map(escapeCell);
  const body = rows.map((r) => headers.map((_, i) => escapeCell(r[i] ?? "")));
  const sizes = head.map((h, i) => Math.max(3, width(h), ...body.map((r) => width(r[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => pad(c, sizes[i] ?? 3, align[i] ?? "left")).join(" | ")} |`;
  const rule = `|${sizes.map((s, i) => (align[i] === "right" ? `${"-".repeat(s + 1)}:` : `${"-".repeat(s + 2)}`)).join("|")}|`;
  return [line(head), rule, ...body.map(line)].join("\n");
}

export const int = (n: number): string => Math.round(n).toLocaleString("en-US");
export const rate = (n: number): string => (n >= 100 ? int(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
/** autocannon reports whole milliseconds; fractions appear only in averages. */
export const ms = (n: number): string =>
  Number.isInteger(n) || n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
export const times = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? "–" : `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`;
export const mark = (met: boolean): string => (met ? "✓" : "✗");

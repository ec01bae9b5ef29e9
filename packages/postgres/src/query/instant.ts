/**
 * dateTime literals as epoch milliseconds, read the way core's evaluator reads them: a timestamp
 * without a zone is UTC, a date alone is midnight UTC. The SQL side (`instant_ms()` in the
 * migrations) applies the same rule to stored values, so comparisons are by instant, not by text.
 */
export function instantMs(s: string): number {
  const last = s.charCodeAt(s.length - 1);
  if (last === 90 /* Z */ || last === 122 /* z */) return Date.parse(s);
  const t = s.indexOf("T") > 0 ? s.indexOf("T") : s.indexOf("t");
  if (t < 0) return Date.parse(s);
  const sign = s.charCodeAt(s.length - 6);
  if ((sign === 43 /* + */ || sign === 45) /* - */ && s.length - 6 > t) return Date.parse(s);
  return Date.parse(`${s}Z`);
}

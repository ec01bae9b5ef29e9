/**
 * First pass over a filter's text: checks the RFC 7644 §3.4.2.2 grammar token by token, reports
 * errors with their position, and rewrites the text for the structural parser with every attribute
 * path replaced by `aN` and every comparison value by `"N"`.
 *
 * Why the rewrite: the structural parser (scim2-parse-filter) handles precedence and grouping well,
 * but its tokenizer cannot read `$ref`, unquoted legacy values such as `user@example.com`, negative
 * numbers followed by a space, or JSON escapes other than `\"`. Reading literals here with
 * `JSON.parse` and passing placeholders on leaves it only the part it does well, and quoted strings
 * are never rewritten: they are decoded exactly once, here.
 */
import { err, ok, type Result } from "../result.js";

/** A comparison value as written. */
export interface Literal {
  /** True when written in double quotes. */
  readonly quoted: boolean;
  /** The text as written (without quotes for quoted strings, decoded). */
  readonly raw: string;
  /** The JSON value when the text is valid JSON (`"…"`, a number, `true`, `false`, `null`); else undefined. */
  readonly json: string | number | boolean | null | undefined;
  readonly position: number;
}

export interface PathToken {
  readonly text: string;
  readonly position: number;
}

export interface Lexed {
  /** The rewritten text for the structural parser. */
  readonly text: string;
  readonly paths: readonly PathToken[];
  readonly literals: readonly Literal[];
}

export const MAX_FILTER_LENGTH = 10_000;
export const MAX_FILTER_DEPTH = 50;

const compareOps = new Set(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/** What the grammar allows next. */
type Expect = "expression" | "operator" | "value" | "logical";

const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r";
const isDelimiter = (c: string) => isSpace(c) || c === "(" || c === ")" || c === "[" || c === "]" || c === '"';

/** Scans `text`; the error says what was expected and where (1-based character position). */
export function lexFilter(text: string): Result<Lexed, string> {
  if (text.length > MAX_FILTER_LENGTH) return err(`filter is longer than ${MAX_FILTER_LENGTH} characters`);
  const out: string[] = [];
  const paths: PathToken[] = [];
  const literals: Literal[] = [];
  const open: string[] = [];
  let expect: Expect = "expression";
  let i = 0;
  const at = (pos: number) => `at position ${pos + 1}`;

  while (i < text.length) {
    const c = text[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;

    if (expect === "value") {
      const lit = c === '"' ? readQuoted(text, i) : readBare(text, i);
      if (!lit.ok) return lit;
      literals.push(lit.value.literal);
      out.push(`"${literals.length - 1}"`);
      i = lit.value.end;
      expect = "logical";
      continue;
    }

    if (c === "(") {
      if (expect !== "expression") return err(`unexpected "(" ${at(start)}`);
      open.push("(");
      if (open.length > MAX_FILTER_DEPTH) return err(`filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
      out.push("(");
      i++;
      continue;
    }
    if (c === "[") {
      if (expect !== "operator")
        return err(`unexpected "[" ${at(start)}: a value filter must follow an attribute name`);
      open.push("[");
      if (open.length > MAX_FILTER_DEPTH) return err(`filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
      out.push("[");
      i++;
      expect = "expression";
      continue;
    }
    if (c === ")" || c === "]") {
      const want = c === ")" ? "(" : "[";
      if (expect !== "logical") return err(`unexpected "${c}" ${at(start)}: expected ${describe(expect)}`);
      if (open.pop() !== want) return err(`unbalanced "${c}" ${at(start)}`);
      i++;
      // Entra's `emails[type eq "work"].value eq "x"`: a sub-attribute directly after the bracket.
      if (c === "]" && text[i] === ".") {
        const word = readWord(text, i + 1);
        if (word === "") return err(`expected a sub-attribute name after "]." ${at(i + 1)}`);
        paths.push({ text: word, position: i + 1 });
        out.push(`].a${paths.length - 1}`);
        i += 1 + word.length;
        expect = "operator";
        continue;
      }
      out.push(c);
      continue;
    }
    if (c === '"') return err(`unexpected quoted string ${at(start)}: expected ${describe(expect)}`);

    const word = readWord(text, i);
    i += word.length;
    const lower = word.toLowerCase();
    if (expect === "expression") {
      if (lower === "not") {
        out.push("not");
      } else if (lower === "and" || lower === "or") {
        return err(`unexpected "${word}" ${at(start)}: expected an attribute name`);
      } else {
        paths.push({ text: word, position: start });
        out.push(`a${paths.length - 1}`);
        expect = "operator";
      }
    } else if (expect === "operator") {
      if (lower === "pr") {
        out.push("pr");
        expect = "logical";
      } else if (compareOps.has(lower)) {
        out.push(lower);
        expect = "value";
      } else {
        return err(`unknown operator "${word}" ${at(start)}: expected eq, ne, co, sw, ew, gt, ge, lt, le or pr`);
      }
    } else {
      if (lower !== "and" && lower !== "or")
        return err(`unexpected "${word}" ${at(start)}: expected "and", "or" or the end of the filter`);
      out.push(lower);
      expect = "expression";
    }
  }

  if (expect !== "logical")
    return err(text.trim() === "" ? "filter is empty" : `filter ends early: expected ${describe(expect)}`);
  const unclosed = open.pop();
  if (unclosed !== undefined) return err(`missing "${unclosed === "(" ? ")" : "]"}" at the end of the filter`);
  return ok({ text: out.join(" "), paths, literals });
}

function describe(expect: Expect): string {
  switch (expect) {
    case "expression":
      return 'an attribute name, "not" or "("';
    case "operator":
      return "an operator";
    case "value":
      return "a comparison value";
    case "logical":
      return '"and", "or" or a closing bracket';
  }
}

function readWord(text: string, from: number): string {
  let end = from;
  while (end < text.length && !isDelimiter(text[end] as string)) end++;
  return text.slice(from, end);
}

function readQuoted(text: string, from: number): Result<{ literal: Literal; end: number }, string> {
  let end = from + 1;
  while (end < text.length) {
    const c = text[end];
    if (c === "\\") end += 2;
    else if (c === '"') break;
    else end++;
  }
  if (end >= text.length) return err(`unterminated string starting at position ${from + 1}`);
  const source = text.slice(from, end + 1);
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return err(`invalid string ${source} at position ${from + 1}: only JSON escapes are allowed`);
  }
  const s = value as string;
  return ok({ literal: { quoted: true, raw: s, json: s, position: from }, end: end + 1 });
}

function readBare(text: string, from: number): Result<{ literal: Literal; end: number }, string> {
  const raw = readWord(text, from);
  if (raw === "") return err(`expected a comparison value at position ${from + 1}`);
  let json: Literal["json"];
  if (jsonNumber.test(raw)) json = Number(raw);
  else if (raw === "true") json = true;
  else if (raw === "false") json = false;
  else if (raw === "null") json = null;
  return ok({ literal: { quoted: false, raw, json, position: from }, end: from + raw.length });
}

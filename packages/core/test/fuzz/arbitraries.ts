/**
 * fast-check arbitraries for hostile SCIM traffic: methods, paths, query strings, headers and
 * bodies, mostly well aimed (so requests reach deep code) and then damaged: wrong types, deep
 * nesting, huge arrays, odd Unicode, prototype keys, duplicate keys, broken JSON.
 *
 * Ids, versions and tokens are placeholders (`@@u2@@`, `@@vg1@@`, `@@token0@@`, `@@dir1@@`,
 * `@@otherdir@@`) that the world resolves when the request is sent. Big values (10k-item arrays,
 * 200-level nesting) are built by `.map` from small descriptions, so fast-check never holds or
 * shrinks them item by item.
 */
import fc from "fast-check";

export const URN = {
  User: "urn:ietf:params:scim:schemas:core:2.0:User",
  Group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  Enterprise: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  PatchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  SearchRequest: "urn:ietf:params:scim:api:messages:2.0:SearchRequest",
  BulkRequest: "urn:ietf:params:scim:api:messages:2.0:BulkRequest",
  Error: "urn:ietf:params:scim:api:messages:2.0:Error",
} as const;

/** The zod-declared User extension the world registers (see world.ts). */
export const FUZZ_EXTENSION = "urn:ietf:params:scim:schemas:extension:fuzz:2.0:User";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** How a request travels: straight into `server.fetch`, or over a socket through the Node bridge. */
export type Via = "fetch" | "node";

export interface Segment {
  readonly text: string;
  /** `component`: encodeURIComponent; `raw`: as written (the URL parser fixes what it must); `double`: encoded twice. */
  readonly enc: "component" | "raw" | "double";
}

export interface FuzzRequest {
  readonly via: Via;
  readonly method: string;
  /** Base path segments, e.g. `["scim", "v2"]` or `["scim", "v2", "@@dir1@@"]`. */
  readonly base: readonly string[];
  readonly segments: readonly Segment[];
  readonly trailingSlash: boolean;
  readonly query: {
    readonly pairs: readonly (readonly [string, string])[];
    readonly enc: "params" | "component" | "raw";
  };
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string | undefined;
  /** What the generator aimed at, for statistics. */
  readonly aim: string;
}

// ---------------------------------------------------------------------------------------------
// Strings

/** Characters that break naive code: lone surrogates, bidi controls, NUL, case-folding oddities … */
const oddChars = [
  "\u0000",
  "\ud800",
  "\udfff",
  "\udbff\udfff",
  "\u202e",
  "\u200f",
  "\u200b",
  "\ufeff",
  "\u0130",
  "\u00df",
  "\u212a",
  "\ufb03",
  "\u{1d518}",
  "\u{1f600}",
  "e\u0301",
  "\u0085",
  "\u2028",
  "\\",
  '"',
  "'",
  "%",
  "%00",
  "%zz",
  "\n",
  "\t",
  "/",
  "?",
  "#",
  "*",
  ",",
  "[",
  "]",
  "(",
  ")",
  " ",
  ".",
  "$ref",
  "bulkId:",
  "__proto__",
  "urn:",
];

const oddChar = fc.constantFrom(...oddChars);

/**
 * Any code point but a surrogate half (those come from `oddChars`). fast-check's own "binary" unit
 * indexes the whole Unicode range when an arbitrary is built, seconds of start-up: this one does not.
 */
const anyCodePoint = fc
  .integer({ min: 0, max: 0x10ffff })
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCodePoint(c));

/** Short odd strings, for values that may be repeated (array items, ids). */
export const smallOddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(oddChar, fc.string({ unit: "grapheme", maxLength: 2 })), { maxLength: 8 })
      .map((a) => a.join("")),
  },
  { weight: 2, arbitrary: fc.string({ unit: anyCodePoint, maxLength: 10 }) },
);

/** Odd strings, now and then a very long one. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 60, arbitrary: smallOddString },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 1_000, 10_000, 100_000).map((n) => "\u00e9".repeat(n)) },
);

/** A userName-like value: often unique (so creates succeed), sometimes a seeded one (409), sometimes odd. */
const userName: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"), minLength: 1, maxLength: 8 }),
        fc.nat(1_000_000),
      )
      .map(([w, n]) => `${w}${n}@example.com`),
  },
  { weight: 1, arbitrary: fc.nat(7).map((n) => `seed${n}@example.com`) },
  { weight: 1, arbitrary: fc.nat(7).map((n) => `SEED${n}@EXAMPLE.COM`) },
  { weight: 2, arbitrary: oddString },
);

// ---------------------------------------------------------------------------------------------
// JSON values and their damage

/** Any JSON value: what goes where something else was expected. */
/** Thousands of nested arrays or objects: a marker `serialize` writes out (JSON.stringify cannot). */
const deepMarker: fc.Arbitrary<Json> = fc
  .tuple(fc.constantFrom(5_000, 20_000), fc.constantFrom("array", "object"))
  .map(([depth, shape]) => `@@deep:${depth}:${shape}@@`);

export const junk: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<Json>(
      null,
      true,
      false,
      0,
      -1,
      1.5,
      1e308,
      -0,
      "",
      "true",
      "False",
      "null",
      [],
      {},
      [null],
      [[]],
      { value: null },
    ),
  },
  { weight: 4, arbitrary: oddString },
  { weight: 2, arbitrary: fc.double().map((d) => (Number.isFinite(d) ? d : 0)) },
  {
    weight: 4,
    arbitrary: fc.jsonValue({ maxDepth: 2, depthSize: "xsmall", stringUnit: oddChar }) as fc.Arbitrary<Json>,
  },
  { weight: 1, arbitrary: deepMarker },
);

/** {@link junk} without very long strings, for values that may be repeated. */
const smallJunk: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, "", "true", [], {}, [null], { value: null }),
  },
  { weight: 2, arbitrary: smallOddString },
);

const idRef: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.nat(9).map((n) => `@@u${n}@@`) },
  { weight: 3, arbitrary: fc.nat(4).map((n) => `@@g${n}@@`) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom("bulkId:u1", "bulkId:g1", "bulkId:nope", "", "null", "@@dir0@@") },
  { weight: 1, arbitrary: smallOddString },
);

/** `arb` most of the time, something of another type otherwise. */
const mostly = (arb: fc.Arbitrary<Json>, odds = 10): fc.Arbitrary<Json> =>
  fc.oneof({ weight: odds, arbitrary: arb }, { weight: 1, arbitrary: junk });

/** Sets an own property, even `__proto__`, without touching any prototype. */
function define(target: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Every object and array inside a value, the value first. */
function containers(
  value: Json,
  out: (Json[] | Record<string, Json>)[] = [],
  depth = 0,
): (Json[] | Record<string, Json>)[] {
  if (value === null || typeof value !== "object" || depth > 6 || out.length >= 200) return out;
  out.push(value);
  for (const v of Array.isArray(value) ? value : Object.values(value)) containers(v, out, depth + 1);
  return out;
}

const PROTO_KEYS = ["__proto__", "constructor", "prototype"];
const POLLUTION: Json = { polluted: "yes", prototype: { polluted: "yes" } };

/** A change to a JSON value before it is serialized; `at` picks the container (modulo their count). */
type Damage =
  | { readonly kind: "wrongType"; readonly at: number; readonly key: number; readonly value: Json }
  | {
      readonly kind: "deep";
      readonly at: number;
      readonly key: number;
      readonly depth: number;
      readonly shape: "array" | "object";
    }
  | { readonly kind: "huge"; readonly at: number; readonly key: number; readonly size: number; readonly item: Json }
  | { readonly kind: "proto"; readonly at: number; readonly name: string }
  | { readonly kind: "extraKey"; readonly at: number; readonly name: string; readonly value: Json };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("wrongType" as const), at: fc.nat(), key: fc.nat(), value: junk }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("deep" as const),
      at: fc.nat(),
      key: fc.nat(),
      depth: fc.constantFrom(50, 200, 1_000, 10_000, 100_000),
      shape: fc.constantFrom("array" as const, "object" as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("huge" as const),
      at: fc.nat(),
      key: fc.nat(),
      size: fc.constantFrom(100, 1_000, 10_000),
      item: fc.oneof(
        fc.constantFrom<Json>(
          1,
          "x",
          null,
          { value: "@@u1@@" },
          { value: "a@example.com", type: "work" },
          { op: "add", path: "members", value: [{ value: "@@u2@@" }] },
        ),
        idRef,
        smallJunk,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("proto" as const), at: fc.nat(), name: fc.constantFrom(...PROTO_KEYS) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("extraKey" as const),
      at: fc.nat(),
      name: fc.oneof(
        fc.constantFrom(
          "USERNAME",
          "Schemas",
          "id",
          "meta",
          "members",
          "groups",
          "password",
          "urn:x:y",
          "",
          'emails[type eq "work"].value',
          "name.givenName",
        ),
        oddString,
      ),
      value: junk,
    }),
  },
);

function nest(value: Json, depth: number, shape: "array" | "object"): Json {
  let v = value;
  for (let i = 0; i < depth; i++) v = shape === "array" ? [v] : { value: v };
  return v;
}

function applyDamage(value: Json, d: Damage): Json {
  const all = containers(value);
  const target = all[d.at % Math.max(1, all.length)];
  if (target === undefined) return value;
  const keys = Array.isArray(target) ? target.map((_, i) => String(i)) : Object.keys(target);
  const set = (key: string | undefined, v: Json) => {
    if (Array.isArray(target)) {
      if (key === undefined) target.push(v);
      else target[Number(key)] = v;
    } else define(target, key ?? "extra", v);
  };
  const pick = (n: number) => (keys.length === 0 ? undefined : keys[n % keys.length]);
  switch (d.kind) {
    case "wrongType":
      set(pick(d.key), structuredClone(d.value));
      break;
    case "deep": {
      const key = pick(d.key);
      const inner = key === undefined ? null : ((target as Record<string, Json>)[key] ?? null);
      // Deeper than JSON.stringify can go: a marker that `serialize` writes out as text.
      set(key, d.depth > 1_000 ? `@@deep:${d.depth}:${d.shape}@@` : nest(inner, d.depth, d.shape));
      break;
    }
    case "huge":
      set(
        pick(d.key),
        Array.from({ length: d.size }, () => d.item),
      ); // applied last: sharing the item is safe
      break;
    case "proto":
      if (!Array.isArray(target)) define(target, d.name, structuredClone(POLLUTION));
      break;
    case "extraKey":
      if (!Array.isArray(target)) define(target, d.name, structuredClone(d.value));
      break;
  }
  return value;
}

/** Damage done to the JSON text itself. */
type TextDamage =
  | { readonly kind: "none" }
  | { readonly kind: "duplicateKey"; readonly key: string; readonly value: Json; readonly first: boolean }
  | { readonly kind: "protoText"; readonly key: string }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "replace"; readonly text: string }
  | { readonly kind: "wrap"; readonly before: string; readonly after: string }
  | { readonly kind: "deepText"; readonly depth: number; readonly open: string };

const textDamage: fc.Arbitrary<TextDamage> = fc.oneof(
  { weight: 60, arbitrary: fc.constant({ kind: "none" as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("duplicateKey" as const),
      key: fc.constantFrom(
        "userName",
        "displayName",
        "schemas",
        "Operations",
        "members",
        "op",
        "path",
        "value",
        "active",
        "filter",
        "__proto__",
      ),
      value: junk,
      first: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("protoText" as const), key: fc.constantFrom(...PROTO_KEYS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("replace" as const),
      text: fc.oneof(
        fc.constantFrom(
          "",
          " ",
          "\n\t",
          "null",
          "[]",
          "{}",
          "42",
          '"str"',
          "true",
          "{",
          "}",
          "[{]",
          "NaN",
          "{'a':1}",
          '{"a":1,}',
          "\ufeff{}",
          '{"a":1}{"b":2}',
          '{"a":1} x',
          "\u0000",
        ),
        fc.string({ unit: anyCodePoint, maxLength: 40 }),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("wrap" as const),
      before: fc.constantFrom("\ufeff", " ", "[", "/* c */"),
      after: fc.constantFrom("", " ", "]", ",", "\u0000"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("deepText" as const),
      depth: fc.constantFrom(1_000, 10_000, 100_000),
      open: fc.constantFrom("[", '{"a":'),
    }),
  },
);

/** The JSON text of `depth` nested arrays or objects around a string. */
const deepText = (depth: number, shape: string) =>
  shape === "array"
    ? `${"[".repeat(depth)}"x"${"]".repeat(depth)}`
    : `${'{"value":'.repeat(depth)}"x"${"}".repeat(depth)}`;

function serialize(value: Json, t: TextDamage): string {
  const text = (JSON.stringify(value) ?? "null").replace(/"@@deep:(\d+):(\w+)@@"/g, (_, depth: string, shape: string) =>
    deepText(Number(depth), shape),
  );
  const isObject = text.startsWith("{") && text.length > 2;
  switch (t.kind) {
    case "none":
      return text;
    case "duplicateKey": {
      if (!isObject) return text;
      const pair = `${JSON.stringify(t.key)}:${JSON.stringify(t.value)}`;
      return t.first ? `{${pair},${text.slice(1)}` : `${text.slice(0, -1)},${pair}}`;
    }
    case "protoText":
      return isObject ? `{${JSON.stringify(t.key)}:${JSON.stringify(POLLUTION)},${text.slice(1)}` : text;
    case "truncate":
      return text.slice(0, t.at % Math.max(1, text.length));
    case "replace":
      return t.text;
    case "wrap":
      return `${t.before}${text}${t.after}`;
    case "deepText": {
      const close = t.open === "[" ? "]" : "}";
      const inner = isObject ? text : "1";
      return `${t.open.repeat(t.depth)}${inner}${close.repeat(t.depth)}`;
    }
  }
}

/** A body: a well-aimed JSON value, damaged a fraction of the time, serialized (and maybe broken). */
export function bodyOf(value: fc.Arbitrary<Json>): fc.Arbitrary<string> {
  return fc
    .tuple(
      value,
      fc.oneof(
        { weight: 3, arbitrary: fc.constant<Damage[]>([]) },
        { weight: 1, arbitrary: fc.array(damage, { minLength: 1, maxLength: 3 }) },
      ),
      textDamage,
    )
    .map(([v, ds, t]) => {
      const copy = structuredClone(v);
      // One huge array at most, made last: its items are one shared value that later damage must not grow.
      const huge = ds.find((d) => d.kind === "huge");
      const ordered = [...ds.filter((d) => d.kind !== "huge"), ...(huge ? [huge] : [])];
      const damaged = ordered.reduce((acc, d) => applyDamage(acc, d), copy);
      return serialize(damaged, t);
    });
}

// ---------------------------------------------------------------------------------------------
// SCIM vocabulary

const userAttrs = [
  "userName",
  "name",
  "name.givenName",
  "name.familyName",
  "displayName",
  "nickName",
  "title",
  "active",
  "externalId",
  "id",
  "password",
  "emails",
  "emails.value",
  "emails.type",
  "emails.primary",
  "phoneNumbers.value",
  "addresses.locality",
  "groups",
  "groups.value",
  "meta",
  "meta.lastModified",
  "meta.created",
  "meta.version",
  "roles",
  "roles.value",
  "entitlements",
  "x509Certificates.value",
  `${URN.Enterprise}:employeeNumber`,
  `${URN.Enterprise}:manager`,
  `${URN.Enterprise}:manager.value`,
  `${URN.Enterprise}:department`,
  `${URN.User}:userName`,
  `${FUZZ_EXTENSION}:costCenter`,
  `${FUZZ_EXTENSION}:level`,
  `${FUZZ_EXTENSION}:tags`,
  `${FUZZ_EXTENSION}:badge`,
  `${FUZZ_EXTENSION}:pin`,
  `${FUZZ_EXTENSION}:site`,
  `${FUZZ_EXTENSION}:site.code`,
  `${URN.User}:name.familyName`,
];
const groupAttrs = [
  "displayName",
  "members",
  "members.value",
  "members.type",
  "members.display",
  "members.$ref",
  "externalId",
  "id",
  "meta.version",
  `${URN.Group}:displayName`,
];
const junkAttrs = [
  "",
  "nope",
  "name..givenName",
  "emails[",
  "]",
  "name.givenName.x",
  "urn:",
  "urn:x:y:z",
  "__proto__",
  "constructor.prototype",
  "meta.__proto__",
  "a".repeat(300),
  "UsErNaMe",
  "EMAILS.VALUE",
];

const attrPath: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...userAttrs) },
  { weight: 2, arbitrary: fc.constantFrom(...groupAttrs) },
  { weight: 1, arbitrary: fc.constantFrom(...junkAttrs) },
  { weight: 1, arbitrary: oddString },
);

const compareOp = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le", "EQ", "Sw") },
  { weight: 1, arbitrary: fc.constantFrom("eqq", "=", "==", "in", "", "pr") },
);

const literal: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(userName, idRef, oddString).map((s) => JSON.stringify(s)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "true",
      "false",
      "null",
      "0",
      "-1",
      "1e999",
      "1.5",
      "2025-01-01T00:00:00Z",
      '"2025-01-01T00:00:00Z"',
      "NaN",
      '"unterminated',
      "'single'",
      "bare",
      '"\\u00"',
      '"\\ud800"',
    ),
  },
  { weight: 1, arbitrary: fc.integer().map(String) },
);

/** Filters from a small grammar (valid most of the time), with garbage mixed in. */
export const filterText: fc.Arbitrary<string> = fc.letrec<{ expr: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    { weight: 6, arbitrary: fc.tuple(attrPath, compareOp, literal).map(([a, o, v]) => `${a} ${o} ${v}`) },
    { weight: 2, arbitrary: attrPath.map((a) => `${a} pr`) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom("emails", "members", "addresses", "groups", "phoneNumbers", "name"),
          tie("expr"),
          fc.constantFrom("", ".value", ".type", ".nope"),
        )
        .map(([a, e, s]) => `${a}[${e}]${s}`),
    },
  ),
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 5, arbitrary: tie("atom") },
    { weight: 1, arbitrary: tie("expr").map((e) => `(${e})`) },
    { weight: 1, arbitrary: tie("expr").map((e) => `not (${e})`) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(tie("expr"), fc.constantFrom("and", "or", "AND", "Or", "xor"), tie("expr"))
        .map(([a, o, b]) => `${a} ${o} ${b}`),
    },
  ),
})).expr;

export const filterArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: filterText },
  {
    weight: 1,
    arbitrary: fc.constantFrom(200, 2_000, 20_000).map((n) => `${"(".repeat(n)}userName pr${")".repeat(n)}`),
  },
  { weight: 1, arbitrary: fc.constantFrom(200, 2_000).map((n) => `${"not (".repeat(n)}userName pr${")".repeat(n)}`) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(100, 1_000, 5_000)
      .map((n) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(" or ")),
  },
  { weight: 1, arbitrary: fc.constantFrom(200, 1_000).map((n) => `${"emails[".repeat(n)}value pr${"]".repeat(n)}`) },
  { weight: 2, arbitrary: oddString },
);

const intText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "-1",
    "0",
    "1",
    "2",
    "10",
    "1000",
    "1001",
    "2147483648",
    "9007199254740993",
    "1e3",
    "0x10",
    " 5",
    "abc",
    "",
    "1.5",
    "-0",
    "999999999999999999999",
    "+3",
    "٣",
  ),
  fc.integer().map(String),
);

const attrList: fc.Arbitrary<string> = fc.array(attrPath, { maxLength: 4 }).map((a) => a.join(","));

// ---------------------------------------------------------------------------------------------
// Resource, PatchOp, SearchRequest and BulkRequest bodies

const schemasFor = (urn: string) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant<Json>([urn]) },
    { weight: 2, arbitrary: fc.constant<Json>([urn, URN.Enterprise]) },
    { weight: 2, arbitrary: fc.constant<Json>([urn, FUZZ_EXTENSION]) },
    { weight: 1, arbitrary: fc.constantFrom<Json>([], [urn.toUpperCase()], ["urn:nope"], urn, [null]) },
  );

const multi = (value: fc.Arbitrary<Json>, types: string[]) =>
  fc.array(
    fc.record(
      {
        value,
        type: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...types) }, { weight: 1, arbitrary: oddString }),
        primary: mostly(fc.boolean()),
        display: oddString,
      },
      { requiredKeys: ["value"] },
    ) as fc.Arbitrary<Json>,
    { maxLength: 3 },
  );

export const userValue: fc.Arbitrary<Json> = fc
  .record(
    {
      schemas: schemasFor(URN.User),
      userName,
      externalId: fc.oneof(
        fc.nat(9).map((n) => `ext-${n}`),
        oddString,
      ),
      name: fc.record(
        { givenName: oddString, familyName: oddString, formatted: oddString, middleName: oddString },
        { requiredKeys: [] },
      ) as fc.Arbitrary<Json>,
      displayName: oddString,
      nickName: oddString,
      title: oddString,
      locale: fc.constantFrom("en-US", "ar-EG", "", "xx"),
      active: fc.oneof(
        { weight: 9, arbitrary: fc.boolean() },
        { weight: 1, arbitrary: fc.constantFrom<Json>("true", "False", "yes", 1, 0, null) },
      ),
      // Rare: the host refuses half of the passwords (see the world), which would refuse half the users.
      password: fc.oneof(
        { weight: 6, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 20 }), oddString) },
      ),
      emails: multi(userName, ["work", "home", "other", "WORK"]),
      phoneNumbers: multi(fc.string({ maxLength: 15 }), ["work", "mobile", "fax"]),
      addresses: fc.array(
        fc.record(
          {
            locality: oddString,
            country: fc.constantFrom("US", "EG", "\u202eSU"),
            type: fc.constantFrom("work", "home"),
            primary: fc.boolean(),
          },
          { requiredKeys: [] },
        ) as fc.Arbitrary<Json>,
        { maxLength: 2 },
      ),
      roles: fc.oneof(
        { weight: 6, arbitrary: multi(fc.constantFrom("admin", "viewer", "x"), ["r"]) },
        { weight: 1, arbitrary: fc.constant<Json>('[{"value":"admin"}]') },
      ),
      groups: multi(idRef, ["direct"]),
      id: idRef,
      meta: fc.record(
        { resourceType: fc.constantFrom("User", "Group"), version: fc.constantFrom('W/"1"', "x") },
        { requiredKeys: [] },
      ) as fc.Arbitrary<Json>,
      [URN.Enterprise]: fc.record(
        {
          employeeNumber: oddString,
          department: oddString,
          manager: mostly(fc.oneof(fc.record({ value: idRef }) as fc.Arbitrary<Json>, idRef as fc.Arbitrary<Json>), 4),
        },
        { requiredKeys: [] },
      ) as fc.Arbitrary<Json>,
      [FUZZ_EXTENSION]: mostly(
        fc.record(
          {
            costCenter: mostly(
              fc.oneof(
                fc.integer({ min: 0, max: 999 }).map((n) => `CC-${String(n).padStart(3, "0")}`),
                smallOddString,
              ),
            ),
            level: mostly(fc.integer({ min: -1, max: 12 })),
            remote: mostly(fc.boolean()),
            tags: mostly(fc.array(smallOddString, { maxLength: 4 })),
            badge: mostly(fc.nat(20).map((n) => `B${n}`)),
            pin: mostly(smallOddString),
            site: mostly(
              fc.record(
                { code: mostly(smallOddString), floor: mostly(fc.integer({ min: -2, max: 50 })) },
                { requiredKeys: [] },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
        6,
      ),
    },
    { requiredKeys: ["schemas", "userName"] },
  )
  .map((user) => {
    if (user.password !== null) return user;
    const { password: _, ...rest } = user;
    return rest;
  }) as fc.Arbitrary<Json>;

const memberValue: fc.Arbitrary<Json> = fc.record(
  {
    value: idRef,
    type: fc.oneof(fc.constantFrom("User", "Group", "user"), oddString),
    display: oddString,
    $ref: fc.constantFrom("https://app.example.com/scim/v2/Users/x", "x"),
  },
  { requiredKeys: ["value"] },
) as fc.Arbitrary<Json>;

export const groupValue: fc.Arbitrary<Json> = fc.record(
  {
    schemas: schemasFor(URN.Group),
    displayName: fc.oneof(
      fc.constantFrom("Admins", "Staff", "Everyone", "admins"),
      oddString,
      fc.nat(100_000).map((n) => `Group ${n}`),
    ),
    externalId: oddString,
    members: fc.array(memberValue, { maxLength: 4 }),
    id: idRef,
  },
  { requiredKeys: ["schemas", "displayName"] },
) as fc.Arbitrary<Json>;

const patchPath: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: attrPath },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "members",
      'members[value eq "@@u1@@"]',
      'members[value eq "@@u0@@"]',
      'members[value eq "@@g1@@"]',
      'members[value eq "@@u2@@" or value eq "@@u3@@"]',
      'members[value eq "@@u1@@"].value',
      'emails[type eq "work"].value',
      'emails[type eq "work"]',
      "emails[primary eq true].value",
      'addresses[type eq "work"].locality',
      'phoneNumbers[type eq "mobile"].value',
      `${URN.Enterprise}:manager`,
      `${URN.Enterprise}:manager.value`,
      'roles[primary eq "True"].value',
      "name.givenName",
      "active",
      "__proto__.polluted",
      "constructor.prototype.polluted",
      "name.__proto__.polluted",
      "/__proto__/polluted",
      'members[value eq "x"',
      "members[value]",
      "members[]",
      'emails[type eq "work"].__proto__',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("members", "emails", "addresses"), filterText, fc.constantFrom("", ".value", ".type"))
      .map(([a, f, s]) => `${a}[${f}]${s}`),
  },
);

const patchOpValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.array(memberValue, { maxLength: 3 }) as fc.Arbitrary<Json> },
  {
    weight: 2,
    arbitrary: fc.oneof(fc.boolean(), oddString, fc.constantFrom<Json>("False", "True")) as fc.Arbitrary<Json>,
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        active: fc.oneof(fc.boolean(), fc.constant("False")),
        displayName: oddString,
        "name.givenName": oddString,
        userName,
        [`${URN.Enterprise}:manager`]: idRef,
      },
      { requiredKeys: [] },
    ) as fc.Arbitrary<Json>,
  },
  { weight: 2, arbitrary: userValue },
  { weight: 1, arbitrary: groupValue },
  { weight: 2, arbitrary: junk },
);

const patchOperation: fc.Arbitrary<Json> = fc.record(
  {
    op: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom("add", "replace", "remove", "Add", "Replace", "Remove", "REPLACE") },
      { weight: 1, arbitrary: fc.constantFrom("copy", "move", "test", "", "delete") },
      { weight: 1, arbitrary: junk },
    ),
    path: patchPath,
    value: patchOpValue,
  },
  { requiredKeys: ["op"] },
) as fc.Arbitrary<Json>;

export const patchValue: fc.Arbitrary<Json> = fc.record(
  {
    schemas: fc.oneof({ weight: 8, arbitrary: fc.constant<Json>([URN.PatchOp]) }, { weight: 1, arbitrary: junk }),
    Operations: fc.oneof(
      { weight: 8, arbitrary: fc.array(patchOperation, { minLength: 1, maxLength: 4 }) as fc.Arbitrary<Json> },
      { weight: 1, arbitrary: junk },
    ),
  },
  { requiredKeys: ["schemas", "Operations"] },
) as fc.Arbitrary<Json>;

const intJson: fc.Arbitrary<Json> = fc.oneof(
  fc.integer({ min: -5, max: 2_000 }),
  fc.constantFrom<Json>(2 ** 53 + 2, -(2 ** 31), 1.5, "10", "x", null, 1e308),
);

export const searchValue: fc.Arbitrary<Json> = fc.record(
  {
    schemas: fc.oneof({ weight: 6, arbitrary: fc.constant<Json>([URN.SearchRequest]) }, { weight: 1, arbitrary: junk }),
    filter: fc.oneof({ weight: 6, arbitrary: filterArb as fc.Arbitrary<Json> }, { weight: 1, arbitrary: junk }),
    startIndex: intJson,
    count: intJson,
    sortBy: mostly(attrPath),
    sortOrder: mostly(fc.constantFrom<Json>("ascending", "descending", "DESCENDING", "up")),
    attributes: mostly(fc.oneof(fc.array(attrPath, { maxLength: 3 }), attrList)),
    excludedAttributes: mostly(fc.oneof(fc.array(attrPath, { maxLength: 3 }), attrList)),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Json>;

const bulkOperation: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        method: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom("POST", "PUT", "PATCH", "DELETE", "post") },
          { weight: 1, arbitrary: fc.constantFrom("GET", "HEAD", "", "OPTIONS") },
          { weight: 1, arbitrary: junk },
        ),
        bulkId: mostly(fc.constantFrom<Json>("u1", "g1", "x", "")),
        version: mostly(fc.constantFrom<Json>('W/"1"', "*", "@@vu1@@", 'W/"@@vu1@@"', 'W/"@@vg0@@"')),
        path: fc.oneof(
          {
            weight: 6,
            arbitrary: fc.constantFrom<Json>(
              "/Users",
              "/Groups",
              "/Users/@@u1@@",
              "/Users/@@u4@@",
              "/Groups/@@g0@@",
              "/Groups/@@g2@@",
              "/Groups/bulkId:g1",
              "/Users/bulkId:u1",
              "Users",
              "/users",
            ),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom<Json>(
              "/Bulk",
              "/.search",
              "/Users/.search",
              "/Me",
              "/ServiceProviderConfig",
              "/Schemas",
              "",
              "/",
              "//Users",
              "/Users/a/b",
              "/Users?x=1",
              "/../Users",
              "bulkId:u1",
            ),
          },
          { weight: 1, arbitrary: junk },
        ),
        data: fc.oneof(
          { weight: 12, arbitrary: mostly(fc.oneof(userValue, groupValue, patchValue)) },
          { weight: 1, arbitrary: deepMarker },
        ),
      },
      { requiredKeys: ["method", "path"] },
    ) as fc.Arbitrary<Json>,
  },
  { weight: 1, arbitrary: smallJunk },
);

export const bulkValue: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        schemas: mostly(fc.constant<Json>([URN.BulkRequest])),
        failOnErrors: mostly(fc.nat(3)),
        Operations: fc.oneof(
          { weight: 8, arbitrary: fc.array(bulkOperation, { maxLength: 5 }) as fc.Arbitrary<Json> },
          { weight: 1, arbitrary: junk },
        ),
      },
      { requiredKeys: ["schemas", "Operations"] },
    ) as fc.Arbitrary<Json>,
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(1_001, 5_000).map((n) => ({
      schemas: [URN.BulkRequest],
      Operations: Array.from({ length: n }, () => ({ method: "DELETE", path: "/Users/@@u1@@" })),
    })),
  },
);

// ---------------------------------------------------------------------------------------------
// Requests

type Aim =
  | "usersList"
  | "usersCreate"
  | "groupsList"
  | "groupsCreate"
  | "user"
  | "group"
  | "search"
  | "bulk"
  | "discovery"
  | "me"
  | "junk";

const seg = (text: string, enc: Segment["enc"] = "component"): Segment => ({ text, enc });

const endpointCase = (name: string) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(name) },
    { weight: 1, arbitrary: fc.constantFrom(name.toLowerCase(), name.toUpperCase()) },
  );

const oddSegment: fc.Arbitrary<Segment> = fc.oneof(
  fc.tuple(oddString, fc.constantFrom<Segment["enc"]>("component", "raw", "double")).map(([t, e]) => seg(t, e)),
  fc.constantFrom(
    seg("%", "raw"),
    seg("%zz", "raw"),
    seg("%E0%A4%A", "raw"),
    seg("%2F", "raw"),
    seg("%2e%2e", "raw"),
    seg("..", "raw"),
    seg(".", "raw"),
    seg("a%00b", "raw"),
    seg("%C0%AF", "raw"),
  ),
  fc.constantFrom(1_000, 8_000, 60_000).map((n) => seg("x".repeat(n))),
);

const userId = fc.oneof(
  { weight: 20, arbitrary: fc.nat(9).map((n) => seg(`@@u${n}@@`, "raw")) },
  { weight: 1, arbitrary: fc.nat(4).map((n) => seg(`@@g${n}@@`, "raw")) },
  { weight: 2, arbitrary: oddSegment },
  { weight: 1, arbitrary: fc.uuid().map((u) => seg(u)) },
);
const groupId = fc.oneof(
  { weight: 20, arbitrary: fc.nat(4).map((n) => seg(`@@g${n}@@`, "raw")) },
  { weight: 1, arbitrary: fc.nat(9).map((n) => seg(`@@u${n}@@`, "raw")) },
  { weight: 2, arbitrary: oddSegment },
  { weight: 1, arbitrary: fc.uuid().map((u) => seg(u)) },
);

const fetchOddMethods = [
  "get",
  "post",
  "patch",
  "put",
  "delete",
  "FOO",
  "M-SEARCH",
  "PROPFIND",
  "SEARCH",
  "X",
  "Patch",
];
const nodeOddMethods = ["PROPFIND", "SEARCH", "MKCOL", "COPY", "MOVE", "LOCK", "PURGE", "REPORT"];
const allMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

function methodFor(main: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 40, arbitrary: fc.constantFrom(...main) },
    { weight: 3, arbitrary: fc.constantFrom(...allMethods) },
    { weight: 1, arbitrary: fc.constantFrom(...fetchOddMethods, ...nodeOddMethods) },
  );
}

const listQuery: fc.Arbitrary<[string, string][]> = fc
  .record(
    {
      filter: filterArb,
      attributes: attrList,
      excludedAttributes: attrList,
      startIndex: intText,
      count: intText,
      sortBy: attrPath,
      sortOrder: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom("ascending", "descending", "DESCENDING") },
        { weight: 1, arbitrary: fc.constantFrom("sideways", "", "asc") },
      ),
    },
    { requiredKeys: [] },
  )
  .map((r) => Object.entries(r));

const projectionQuery: fc.Arbitrary<[string, string][]> = fc
  .record({ attributes: attrList, excludedAttributes: attrList }, { requiredKeys: [] })
  .map((r) => Object.entries(r));

const junkQuery: fc.Arbitrary<[string, string][]> = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom(
        "filter",
        "FILTER",
        "count",
        "Count",
        "startindex",
        "attributes",
        "__proto__",
        "constructor",
        "",
        "a[b]",
      ),
      oddString,
    ),
    oddString,
  ),
  { maxLength: 3 },
);

const queryFor = (main: fc.Arbitrary<[string, string][]>) =>
  fc.record({
    pairs: fc.oneof(
      { weight: 6, arbitrary: main },
      { weight: 1, arbitrary: fc.tuple(main, junkQuery).map(([a, b]) => [...a, ...b]) },
      { weight: 1, arbitrary: junkQuery },
    ),
    enc: fc.constantFrom<FuzzRequest["query"]["enc"]>("params", "params", "component", "raw"),
  });

const noQuery = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ pairs: [] as [string, string][], enc: "params" as const }) },
  { weight: 1, arbitrary: queryFor(junkQuery) },
);

/** A User an IdP could send as it is, so a good share of writes gets past validation. */
const cleanUser: fc.Arbitrary<string> = fc
  .record({
    userName,
    displayName: smallOddString,
    active: fc.boolean(),
    givenName: smallOddString,
    familyName: smallOddString,
    manager: fc.nat(9),
    costCenter: fc.integer({ min: 0, max: 999 }),
    level: fc.integer({ min: 1, max: 10 }),
    tags: fc.array(smallOddString, { maxLength: 3 }),
  })
  .map((u) =>
    JSON.stringify({
      schemas: [URN.User, URN.Enterprise, FUZZ_EXTENSION],
      userName: u.userName,
      displayName: u.displayName,
      active: u.active,
      name: { givenName: u.givenName, familyName: u.familyName },
      emails: [{ value: u.userName, type: "work", primary: true }],
      [URN.Enterprise]: { manager: { value: `@@u${u.manager}@@` } },
      [FUZZ_EXTENSION]: { costCenter: `CC-${String(u.costCenter).padStart(3, "0")}`, level: u.level, tags: u.tags },
    }),
  );

/** A Group an IdP could send as it is. */
const cleanGroup: fc.Arbitrary<string> = fc
  .record({
    n: fc.nat(1_000_000),
    members: fc.array(
      fc.oneof(
        fc.nat(9).map((n) => `@@u${n}@@`),
        fc.nat(4).map((n) => `@@g${n}@@`),
      ),
      { maxLength: 4 },
    ),
  })
  .map((g) =>
    JSON.stringify({
      schemas: [URN.Group],
      displayName: `Group ${g.n}`,
      members: g.members.map((value) => ({ value })),
    }),
  );

/** A SearchRequest from the filter grammar, with sane paging. */
const cleanSearch: fc.Arbitrary<string> = fc
  .record(
    {
      filter: filterText,
      startIndex: fc.integer({ min: 1, max: 5 }),
      count: fc.integer({ min: 0, max: 20 }),
      sortBy: fc.constantFrom("userName", "displayName", "meta.lastModified", "name.familyName"),
      sortOrder: fc.constantFrom("ascending", "descending"),
      attributes: fc.array(fc.constantFrom("userName", "displayName", "members", "emails", "groups"), { maxLength: 2 }),
    },
    { requiredKeys: ["filter"] },
  )
  .map((r) => JSON.stringify({ schemas: [URN.SearchRequest], ...r }));

/** Mostly damaged bodies, a third as an IdP would send them. */
const userBody = fc.oneof({ weight: 2, arbitrary: bodyOf(userValue) }, { weight: 1, arbitrary: cleanUser });
const groupBody = fc.oneof({ weight: 2, arbitrary: bodyOf(groupValue) }, { weight: 1, arbitrary: cleanGroup });

/** Where a request goes and what it carries, before headers and transport are chosen. */
interface Shape {
  readonly aim: Aim;
  readonly segments: readonly Segment[];
  readonly method: string;
  readonly query: FuzzRequest["query"];
  readonly body: string | undefined;
}

const randomBody = fc.oneof(
  bodyOf(userValue),
  bodyOf(groupValue),
  bodyOf(patchValue),
  bodyOf(searchValue),
  bodyOf(junk),
);
const withStray = (main: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 12, arbitrary: main },
    { weight: 2, arbitrary: randomBody },
    { weight: 1, arbitrary: fc.constant<string | undefined>(undefined) },
  ) as fc.Arbitrary<string | undefined>;
const noBody = fc.oneof(
  { weight: 8, arbitrary: fc.constant<string | undefined>(undefined) },
  { weight: 1, arbitrary: randomBody },
) as fc.Arbitrary<string | undefined>;

const shape = (
  aim: Aim,
  segments: fc.Arbitrary<readonly Segment[]>,
  methods: readonly string[],
  query: fc.Arbitrary<FuzzRequest["query"]>,
  body: fc.Arbitrary<string | undefined>,
): fc.Arbitrary<Shape> => fc.record({ aim: fc.constant(aim), segments, method: methodFor(methods), query, body });

const users = endpointCase("Users").map((u) => [seg(u)]);
const groups = endpointCase("Groups").map((g) => [seg(g)]);
const oneUser = fc.tuple(endpointCase("Users"), userId).map(([u, id]) => [seg(u), id]);
const oneGroup = fc.tuple(endpointCase("Groups"), groupId).map(([g, id]) => [seg(g), id]);
const projected = queryFor(projectionQuery);

const shapes: Record<Aim, fc.Arbitrary<Shape>> = {
  usersList: shape("usersList", users, ["GET"], queryFor(listQuery), noBody),
  groupsList: shape("groupsList", groups, ["GET"], queryFor(listQuery), noBody),
  usersCreate: shape("usersCreate", users, ["POST"], noQuery, withStray(userBody)),
  groupsCreate: shape("groupsCreate", groups, ["POST"], noQuery, withStray(groupBody)),
  user: fc.oneof(
    shape("user", oneUser, ["GET"], projected, noBody),
    shape("user", oneUser, ["PUT"], projected, withStray(userBody)),
    { weight: 3, arbitrary: shape("user", oneUser, ["PATCH"], projected, withStray(bodyOf(patchValue))) },
    shape("user", oneUser, ["DELETE"], noQuery, noBody),
  ),
  group: fc.oneof(
    shape("group", oneGroup, ["GET"], projected, noBody),
    shape("group", oneGroup, ["PUT"], projected, withStray(groupBody)),
    { weight: 3, arbitrary: shape("group", oneGroup, ["PATCH"], projected, withStray(bodyOf(patchValue))) },
    shape("group", oneGroup, ["DELETE"], noQuery, noBody),
  ),
  search: shape(
    "search",
    fc.constantFrom<Segment[]>(
      [seg(".search")],
      [seg("Users"), seg(".search")],
      [seg("Users"), seg(".search")],
      [seg("Groups"), seg(".search")],
      [seg("Groups"), seg(".search")],
      [seg("users"), seg(".search")],
      [seg("Schemas"), seg(".search")],
    ),
    ["POST"],
    noQuery,
    withStray(fc.oneof({ weight: 1, arbitrary: bodyOf(searchValue) }, { weight: 1, arbitrary: cleanSearch })),
  ),
  bulk: shape(
    "bulk",
    endpointCase("Bulk").map((b) => [seg(b)]),
    ["POST"],
    noQuery,
    withStray(bodyOf(bulkValue)),
  ),
  discovery: shape(
    "discovery",
    fc.constantFrom<Segment[]>(
      [seg("ServiceProviderConfig")],
      [seg("ResourceTypes")],
      [seg("ResourceTypes"), seg("User")],
      [seg("ResourceTypes"), seg("Group")],
      [seg("ResourceTypes"), seg("Nope")],
      [seg("Schemas")],
      [seg("Schemas"), seg(URN.User)],
      [seg("Schemas"), seg(URN.Enterprise)],
      [seg("Schemas"), seg("urn:nope")],
      [seg("serviceproviderconfig")],
      [seg("ServiceProviderConfig"), seg("x")],
    ),
    ["GET"],
    projected,
    noBody,
  ),
  me: shape("me", fc.constant([seg("Me")]), ["GET", "POST", "PATCH"], noQuery, noBody),
  junk: shape(
    "junk",
    fc.oneof(
      fc.array(oddSegment, { minLength: 1, maxLength: 4 }),
      fc
        .tuple(
          fc.constantFrom("Users", "Groups", "Bulk", "Schemas"),
          fc.array(oddSegment, { minLength: 2, maxLength: 3 }),
        )
        .map(([e, rest]) => [seg(e), ...rest]),
      fc.tuple(userId, fc.constantFrom("Users", "Groups")).map(([id, e]) => [seg(e), id, seg("extra")]),
      fc.constant([seg("Users"), seg(""), seg("")]),
    ),
    allMethods,
    noQuery,
    noBody,
  ),
};

const AIM_WEIGHTS: Record<Aim, number> = {
  usersList: 8,
  usersCreate: 10,
  groupsList: 5,
  groupsCreate: 7,
  user: 20,
  group: 16,
  search: 8,
  bulk: 8,
  discovery: 4,
  me: 1,
  junk: 5,
};

const bases: readonly (readonly string[])[] = [
  ["scim", "v2", "dir_00000000"],
  ["scim", "v2", "dir_"],
  ["scim", "v2", "DIR_abcdefgh1"],
  [],
  ["a", "b", "c"],
  ["scim", "v2", "Users"],
  ["Users"],
];

const base: fc.Arbitrary<readonly string[]> = fc.oneof(
  { weight: 40, arbitrary: fc.constant<readonly string[]>(["scim", "v2"]) },
  { weight: 3, arbitrary: fc.constant<readonly string[]>(["scim", "v2", "@@dir@@"]) },
  { weight: 1, arbitrary: fc.nat(2).map<readonly string[]>((n) => ["scim", "v2", `@@dir${n}@@`]) },
  { weight: 1, arbitrary: fc.constant<readonly string[]>(["scim", "v2", "@@otherdir@@"]) },
  { weight: 2, arbitrary: fc.constantFrom(...bases) },
);

/** Header values a Fetch `Headers` and Node's client both accept (a byte string without CR, LF or NUL). */
const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength: 30,
  }),
  fc.constantFrom(2_000, 16_000).map((n) => "v".repeat(n)),
);

const contentType: fc.Arbitrary<string | null> = fc.oneof(
  {
    weight: 40,
    arbitrary: fc.constantFrom("application/scim+json", "application/json", "application/scim+json; charset=utf-8"),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "application/json; charset=utf-8",
      "application/scim+json;charset=ISO-8859-1",
      "APPLICATION/JSON",
      "application/json;;;",
      " application/json ",
      "text/plain",
      "",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonp",
      "*/*",
      "application/scim+json, text/html",
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
);

const etag: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'W/"@@vu1@@"',
    'W/"@@vu4@@"',
    'W/"@@vg0@@"',
    'W/"@@vg1@@"',
    '"@@vu1@@"',
    "*",
    'W/"1"',
    'W/"2", W/"3"',
    "W/",
    '"',
    ",,,",
    'W/"99999999999999999999"',
    'W/"-1"',
    "",
  ),
  headerValue,
);

const authorization: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 150, arbitrary: fc.nat(2).map((n) => `Bearer @@token${n}@@`) },
  { weight: 2, arbitrary: fc.nat(2).map((n) => `bearer   @@token${n}@@  `) },
  { weight: 2, arbitrary: fc.constant(null) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "Bearer",
      "Bearer ",
      "Bearer scimkit_wrong",
      "Basic YTpi",
      "Bearer @@token0@@ extra",
      "Bearer @@token0@@x",
      "Token @@token0@@",
      "Bearer \u00ff",
      "Bearer @@token0@@, Bearer @@token1@@",
    ),
  },
  { weight: 1, arbitrary: headerValue },
);

const forwardedHost = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom("idp.example", "app.example.com:8443", "[::1]:443", "xn--bcher-kva.example"),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.constantFrom("evil.example/x", "a b", "%%", "a@b", "Azure AD SCIM"), headerValue),
  },
);

const extraHeaders: fc.Arbitrary<[string, string][]> = fc.array(
  fc.oneof(
    fc.tuple(fc.constant("x-forwarded-host"), forwardedHost),
    fc.tuple(
      fc.constant("x-forwarded-proto"),
      fc.oneof(fc.constantFrom("https", "http", "HTTPS", "http, https"), headerValue),
    ),
    fc.tuple(
      fc.constantFrom(
        "user-agent",
        "x-request-id",
        "client-request-id",
        "accept",
        "accept-charset",
        "x-http-method-override",
        "prefer",
        "origin",
      ),
      fc.oneof(
        fc.constantFrom(
          "Okta SCIM Client 1.0.0",
          "https",
          "evil.example",
          "a b",
          "Azure AD SCIM",
          "application/xml",
          "DELETE",
        ),
        headerValue,
      ),
    ),
  ),
  { maxLength: 3 },
);

/** `arb` one time in `n`, else null. */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const headersArb = fc
  .record({ authorization, contentType, ifMatch: rarely(etag, 6), ifNoneMatch: rarely(etag, 12), extra: extraHeaders })
  .map(({ authorization: a, contentType: c, ifMatch, ifNoneMatch, extra }) => {
    const out: [string, string][] = [];
    if (a !== null) out.push(["authorization", a]);
    if (c !== null) out.push(["content-type", c]);
    if (ifMatch !== null) out.push(["if-match", ifMatch]);
    if (ifNoneMatch !== null) out.push(["if-none-match", ifNoneMatch]);
    return [...out, ...extra];
  });

/** One hostile request; `nodeShare` of them (0..1) cross the Node bridge. */
export function requestArb(nodeShare: number): fc.Arbitrary<FuzzRequest> {
  const permille = Math.round(nodeShare * 1000);
  const where = fc.oneof(
    ...(Object.keys(shapes) as Aim[]).map((aim) => ({ weight: AIM_WEIGHTS[aim], arbitrary: shapes[aim] })),
  );
  return fc
    .record({ shape: where, dice: fc.nat(999), base, headers: headersArb })
    .map(({ shape: s, dice, base: b, headers }) => {
      const via: Via = dice < permille ? "node" : "fetch";
      const method =
        via === "node" && !allMethods.includes(s.method) && !nodeOddMethods.includes(s.method) ? "PROPFIND" : s.method;
      // `@@dir@@` is the directory of the token the request carries: its own per-directory base URL.
      const token = /@@token(\d+)@@/.exec(headers.find(([k]) => k === "authorization")?.[1] ?? "")?.[1] ?? "0";
      const request: FuzzRequest = {
        via,
        method,
        base: b.map((x) => (x === "@@dir@@" ? `@@dir${token}@@` : x)),
        segments: s.segments,
        trailingSlash: dice % 50 === 1,
        query: s.query,
        headers,
        body: s.body,
        aim: s.aim,
      };
      return Object.assign(request, { [fc.toStringMethod]: () => summary(request) });
    });
}

/** A request in a few hundred characters, for fast-check's report of a counterexample. */
function summary(r: FuzzRequest): string {
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length})` : s);
  const path = [...r.base, ...r.segments.map((s) => s.text)].map((s) => cut(s, 60)).join("/");
  const query = r.query.pairs.map(([k, v]) => `${cut(k, 40)}=${cut(v, 80)}`).join("&");
  const body = r.body === undefined ? "" : ` ${JSON.stringify(cut(r.body, 300))}`;
  return `${r.via} ${r.method} /${path}${query ? `?${query}` : ""} ${JSON.stringify(r.headers.map(([k, v]) => `${k}: ${cut(v, 60)}`))}${body}`;
}

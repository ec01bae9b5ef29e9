/**
 * `defineExtension`: the SCIM attribute definitions derived from a zod object and its
 * `.meta({ scim })`, the declarations SCIM cannot express refused up front, and the typed read.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { attr, defineExtension, ScimConfigError } from "../../src/index.js";
import { ACME, acme } from "./acme.js";

const find = (name: string) => acme.schema.attributes.find((a) => a.name === name);

describe("defineExtension derives SCIM definitions from zod", () => {
  it("maps each zod type to its SCIM type, optional to required: false, meta to characteristics", () => {
    expect(acme).toMatchObject({
      resourceType: "User",
      id: ACME,
      required: false,
      schema: { id: ACME, name: "AcmeUser", description: "Acme custom attributes" },
    });
    expect(find("costCenter")).toEqual(
      attr("costCenter", "string", { caseExact: true, description: "Finance cost center" }),
    );
    expect(find("department")).toEqual(attr("department", "string", { canonicalValues: ["ENG", "OPS", "SALES"] }));
    expect(find("level")).toEqual(attr("level", "integer"));
    expect(find("ratio")).toEqual(attr("ratio", "decimal"));
    expect(find("remote")).toEqual(attr("remote", "boolean"));
    expect(find("startedAt")).toEqual(attr("startedAt", "dateTime"));
    expect(find("badgeId")).toEqual(attr("badgeId", "string", { mutability: "immutable", uniqueness: "server" }));
    expect(find("pin")).toEqual(attr("pin", "string", { mutability: "writeOnly", returned: "never" }));
    expect(find("tags")).toEqual(attr("tags", "string", { multiValued: true }));
    expect(find("site")).toEqual(
      attr("site", "complex", {
        description: "Where the user sits",
        subAttributes: [attr("code", "string", { required: true }), attr("floor", "integer")],
      }),
    );
    expect(acme.schema.attributes.map((a) => a.name)).toEqual([
      "costCenter",
      "department",
      "level",
      "ratio",
      "remote",
      "startedAt",
      "badgeId",
      "pin",
      "tags",
      "site",
    ]);
  });

  it("reads required, z.number().int(), literals, arrays of objects and metadata on either side of a wrapper", () => {
    const ext = defineExtension({
      resourceType: "Group",
      id: "urn:example:scim:ext:GroupTeam",
      name: "Team",
      required: true,
      schema: z.object({
        code: z.string().meta({ scim: { returned: "always" } }),
        size: z.number().int().nullable().optional(),
        kind: z.literal(["team", "guild"]),
        owners: z
          .array(
            z
              .object({ value: z.string(), primary: z.boolean().optional() })
              .meta({ scim: { description: "an owner" } }),
          )
          .optional()
          .meta({ scim: { returned: "request" } }),
        note: z
          .string()
          .meta({ scim: { caseExact: true } })
          .optional()
          .meta({ scim: { mutability: "immutable" } }),
        tier: z.enum(["basic", "gold"]).default("basic"),
      }),
    });
    expect(ext.required).toBe(true);
    expect(ext.schema.attributes).toEqual([
      attr("code", "string", { required: true, returned: "always" }),
      attr("size", "integer"),
      attr("kind", "string", { required: true, canonicalValues: ["team", "guild"] }),
      attr("owners", "complex", {
        multiValued: true,
        returned: "request",
        description: "an owner",
        subAttributes: [attr("value", "string", { required: true }), attr("primary", "boolean")],
      }),
      attr("note", "string", { caseExact: true, mutability: "immutable" }),
      attr("tier", "string", { canonicalValues: ["basic", "gold"] }),
    ]);
    // A default is not stored by the check; reading applies it.
    expect(ext.validate?.({ code: "c", kind: "team" })).toBeUndefined();
    expect(ext.read({ [ext.id]: { code: "c", kind: "team" } })).toEqual({ code: "c", kind: "team", tier: "basic" });
    expect(ext.path("owners")).toBe("urn:example:scim:ext:GroupTeam:owners");
  });

  it("refuses what SCIM cannot express, naming the attribute", () => {
    const define = (schema: z.ZodObject) => () =>
      defineExtension({ resourceType: "User", id: ACME, name: "X", schema });
    expect(define(z.object({ when: z.date() }))).toThrow(/"urn:.*:when".*date/);
    expect(define(z.object({ a: z.object({ b: z.object({ c: z.string() }) }) }))).toThrow(
      /"urn:.*:a\.b".*cannot be complex/,
    );
    expect(define(z.object({ grid: z.array(z.array(z.string())) }))).toThrow(/arrays of arrays/);
    expect(define(z.object({ either: z.union([z.string(), z.number()]) }))).toThrow(ScimConfigError);
    expect(define(z.object({ n: z.enum({ A: 1, B: 2 }) }))).toThrow(/string enums/);
    expect(define(z.object({ a: z.string().meta({ scim: { mutable: "no" } }) }))).toThrow(/invalid scim metadata/);
    expect(define(z.object({ a: z.string().meta({ scim: { returned: "sometimes" } }) }))).toThrow(
      /invalid scim metadata/,
    );
    // Required but never in a client's hands or never in a read: it could never be satisfied or seen.
    expect(define(z.object({ a: z.string().meta({ scim: { mutability: "readOnly" } }) }))).toThrow(
      /readOnly.*optional/,
    );
    expect(define(z.object({ a: z.string().meta({ scim: { returned: "never" } }) }))).toThrow(
      /never returned.*optional/,
    );
    expect(() => defineExtension({ resourceType: "User", id: "acme-user", name: "X", schema: z.object({}) })).toThrow(
      /must be a URN/,
    );
  });
});

describe("read: the extension's value typed", () => {
  it("reads from a view, its attributes or an event's user; undefined without a value; throws on a mismatch", () => {
    const view = {
      id: "u1",
      attributes: { userName: "ada", [ACME]: { costCenter: "CC-100", level: 3, site: { code: "B" } } },
    };
    const value = acme.read(view);
    expect(value).toEqual({ costCenter: "CC-100", level: 3, site: { code: "B" } });
    expect(acme.read(view.attributes)).toEqual(value);
    // The key is a URN, so any case reads.
    expect(acme.read({ [ACME.toUpperCase()]: { level: 2 } })).toEqual({ level: 2 });
    expect(acme.read({ userName: "bob" })).toBeUndefined();
    expect(() => acme.read({ [ACME]: { level: "high" } })).toThrow(z.ZodError);

    expectTypeOf(value).toEqualTypeOf<
      | {
          costCenter?: string | undefined;
          department?: "ENG" | "OPS" | "SALES" | undefined;
          level?: number | undefined;
          ratio?: number | undefined;
          remote?: boolean | undefined;
          startedAt?: string | undefined;
          badgeId?: string | undefined;
          pin?: string | undefined;
          tags?: string[] | undefined;
          site?: { code: string; floor?: number | undefined } | undefined;
        }
      | undefined
    >();
    expectTypeOf(acme.path)
      .parameter(0)
      .toEqualTypeOf<
        "costCenter" | "department" | "level" | "ratio" | "remote" | "startedAt" | "badgeId" | "pin" | "tags" | "site"
      >();
  });

  it("checks a value as decoding leaves it: the first problem, named relative to the extension", () => {
    expect(acme.validate?.({ department: "ENG", tags: ["a"] })).toBeUndefined();
    expect(acme.validate?.({ department: "HR" })).toEqual({
      attribute: "department",
      message: expect.stringContaining('"ENG"'),
    });
    expect(acme.validate?.({ site: { code: "B", floor: 1.5 } })).toMatchObject({ attribute: "site.floor" });
    expect(acme.validate?.({ tags: ["a", 2] })).toMatchObject({ attribute: "tags" });
  });
});

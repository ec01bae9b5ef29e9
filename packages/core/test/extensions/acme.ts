/** The extension the tests declare with zod: Okta-style custom attributes of every SCIM shape. */
import { z } from "zod";
import { defineExtension } from "../../src/index.js";

export const ACME = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
export const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";

export const acme = defineExtension({
  resourceType: "User",
  id: ACME,
  name: "AcmeUser",
  description: "Acme custom attributes",
  schema: z.object({
    costCenter: z
      .string()
      .regex(/^CC-\d{3}$/, "expected a cost center such as CC-100")
      .optional()
      .meta({ scim: { caseExact: true, description: "Finance cost center" } }),
    department: z.enum(["ENG", "OPS", "SALES"]).optional(),
    level: z.int().min(1).max(10).optional(),
    ratio: z.number().optional(),
    remote: z.boolean().optional(),
    startedAt: z.iso.datetime().optional(),
    badgeId: z
      .string()
      .optional()
      .meta({ scim: { mutability: "immutable", uniqueness: "server" } }),
    pin: z
      .string()
      .optional()
      .meta({ scim: { mutability: "writeOnly", returned: "never" } }),
    tags: z.array(z.string()).max(3).optional(),
    site: z.object({ code: z.string(), floor: z.int().optional() }).optional().describe("Where the user sits"),
  }),
});

/** A person handed in by the host, checked once where it enters (`as(person)`). */
import { z } from "zod";
import { ScimConfigError } from "../errors.js";
import type { Person } from "./trail.js";

const person = z
  .object({ id: z.string().min(1), name: z.string().nullable().optional(), email: z.string().nullable().optional() })
  .strict();

export function checkPerson(input: Person): Person {
  const parsed = person.safeParse(input);
  if (!parsed.success)
    throw new ScimConfigError(
      `person: ${parsed.error.issues.map((i) => `${i.path.join(".") || "person"} ${i.message}`).join("; ")}`,
    );
  const { id, name, email } = parsed.data;
  return { id, name: name ?? null, email: email ?? null };
}

/**
 * Every e-mail address of every resource, one row each, folded as `email_values` holds them: what
 * `emails.value eq` and `sw` read through a btree (migration 6), so neither depends on the
 * planner's statistics nor scans the tenant. Triggers on `resources` keep it in step with that
 * column, whoever writes it.
 */
import type { Tables } from "../identifiers.js";

export const emailsTable = (t: Tables) => `${t.schema}.resource_emails`;

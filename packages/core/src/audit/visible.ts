/**
 * What of a change the audit trail and the events may carry: the client-visible attributes only.
 * A host's extension may declare a value `returned: "never"` or writeOnly (a PIN, a recovery
 * code); it is stored, but like the password it must never reach an audit entry or an event, which
 * hosts ship to log pipelines and webhooks.
 */
import type { ResourceChange } from "../resources/change.js";
import { withoutHidden } from "../schema/returned.js";
import type { SchemaRegistry } from "../schema/registry.js";

export function visibleChange(registry: SchemaRegistry, change: ResourceChange): ResourceChange {
  if (change.resourceType !== "User" && change.resourceType !== "Group") return change;
  const t = registry.resourceType(change.resourceType);
  const before = change.before && withoutHidden(t, change.before);
  const after = change.after && withoutHidden(t, change.after);
  return before === change.before && after === change.after ? change : { ...change, before, after };
}

/**
 * Member references from a request → stored members. Every member must be an existing User or Group
 * of the same tenant. An unknown id is skipped and recorded when the profile tolerates it (Okta and
 * Entra may push a membership before the user exists), else a 400 naming it.
 */
import { badRequest } from "../errors.js";
import type { MemberInput } from "../schema/resource-body.js";
import type { Member } from "../store/types.js";
import type { OperationContext } from "./context.js";

export async function resolveMembers(
  ctx: OperationContext,
  groupId: string,
  inputs: readonly MemberInput[],
): Promise<Member[]> {
  const ids = [...new Set(inputs.map((m) => m.value))];
  if (ids.includes(groupId)) throw badRequest("invalidValue", "A group cannot be a member of itself");
  const users = new Set(await ctx.tx.existing("User", ids));
  const rest = ids.filter((id) => !users.has(id));
  const groups = new Set(rest.length > 0 ? await ctx.tx.existing("Group", rest) : []);
  const out = new Map<string, Member>();
  for (const m of inputs) {
    if (out.has(m.value)) continue;
    const type = users.has(m.value) ? "User" : groups.has(m.value) ? "Group" : undefined;
    if (!type) {
      if (ctx.tol.enabled("idempotentMemberAddAndSkipUnknown")) {
        ctx.tol.fire("idempotentMemberAddAndSkipUnknown");
        continue;
      }
      throw badRequest("invalidValue", `Member "${m.value}" is not a User or Group of this directory`);
    }
    out.set(m.value, m.display !== undefined ? { value: m.value, type, display: m.display } : { value: m.value, type });
  }
  return [...out.values()];
}

/**
 * The IdP's picture of what it provisioned. Each user and group holds the states it may be in: one
 * after an acknowledged write; two (before and after) once a write's answer was lost for good, since
 * that write may or may not have committed. A resource in doubt is retired: the client sends it
 * nothing more, and the final check accepts any of its states.
 */
export type Profile = "okta" | "entra";

export interface UserFields {
  readonly givenName: string;
  readonly familyName: string;
  readonly title: string;
  readonly active: boolean;
}

/** null: the user does not exist (not created yet, or deleted). */
export type UserState = UserFields | null;

export interface UserSlot {
  readonly userName: string;
  id: string | null;
  possible: UserState[];
  busy: boolean;
}

export interface GroupSlot {
  readonly displayName: string;
  id: string | null;
  /** Possible member sets (user ids, sorted); the group itself exists once created. */
  possible: string[][];
  /** False until a create was acknowledged; a create in doubt leaves it null-or-created. */
  created: "no" | "yes" | "maybe";
  busy: boolean;
}

export interface Directory {
  readonly profile: Profile;
  readonly tenantId: string;
  readonly directoryId: string;
  readonly token: string;
  readonly users: UserSlot[];
  readonly groups: GroupSlot[];
}

/** One write the client made: every attempt's request id, and whether one of them was acknowledged. */
export interface WriteRecord {
  readonly tenantId: string;
  readonly operation: string;
  readonly label: string;
  readonly attemptIds: string[];
  acked: boolean;
  /** The write changes something, so one of its committed attempts must have an event. */
  readonly effective: boolean;
}

const key = (s: UserState) => JSON.stringify(s);

/** Keeps one copy of each state, in first-seen order. */
export function distinctStates(states: readonly UserState[]): UserState[] {
  const seen = new Set<string>();
  return states.filter((s) => {
    const k = key(s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export const certain = (slot: { possible: readonly unknown[] }) => slot.possible.length === 1;

/** The one state of a user in no doubt. */
export function stateOf(slot: UserSlot): UserState {
  if (slot.possible.length !== 1) throw new Error(`user ${slot.userName} is in doubt`);
  return slot.possible[0] ?? null;
}

/**
 * Records the outcome of a write that takes a user from its one state to `next`: acknowledged, it
 * is in `next`; lost, it is in either.
 */
export function settleUser(slot: UserSlot, next: UserState, acked: boolean): void {
  const before = stateOf(slot);
  slot.possible = acked ? [next] : distinctStates([before, next]);
}

const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();

/**
 * Records a membership change of a group in no doubt. Applied to the group as it is when the answer
 * comes, not as it was when the request left: a member deleted meanwhile has left it already.
 */
export function settleGroup(slot: GroupSlot, ids: readonly string[], add: boolean, acked: boolean): void {
  const before = slot.possible[0] ?? [];
  const after = sorted(add ? [...before, ...ids] : before.filter((m) => !ids.includes(m)));
  slot.possible = acked || JSON.stringify(before) === JSON.stringify(after) ? [after] : [before, after];
}

/** A deleted user leaves every group it was in, in every state the group may be in. */
export function dropMember(groups: readonly GroupSlot[], userId: string, certainly: boolean): void {
  for (const g of groups) {
    const without = g.possible.map((members) => members.filter((m) => m !== userId));
    g.possible = certainly ? without : uniqueSets([...g.possible, ...without]);
  }
}

function uniqueSets(sets: readonly string[][]): string[][] {
  const seen = new Set<string>();
  return sets.filter((s) => {
    const k = JSON.stringify(s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Resource totals per (tenant, type), maintained rather than counted. Migration 4 creates the table
 * and the triggers that keep it: every INSERT and DELETE on `resources` adds its row count, in the
 * same transaction, to one of STRIPES counter rows of its (tenant, type), chosen by the writing
 * connection. So a total commits and rolls back with the writes it counts, concurrent writers of one
 * tenant each update a row of their own instead of queueing on one, and reading a total is a sum of
 * at most STRIPES rows by primary key, whatever the number of resources. The trigger also counts rows
 * a host writes to the table itself.
 */
import type { Tables } from "../identifiers.js";

/** Counter rows per (tenant, type): more than a pool has connections, so two rarely share one. */
export const STRIPES = 64;

export const countsTable = (t: Tables) => `${t.schema}.resource_counts`;

/** A scalar subquery: how many resources of type `type` the tenant `tenant` has (both placeholders). */
export const totalOf = (t: Tables, tenant: string, type: string) =>
  `(SELECT coalesce(sum(c.n), 0)::bigint FROM ${countsTable(t)} c WHERE c.tenant = ${tenant} AND c.type = ${type})`;

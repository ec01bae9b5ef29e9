/** Store errors → SCIM errors: a taken unique key is 409 `uniqueness`, a stale version 412. */
import { ScimError } from "../errors.js";

export function mapStoreError(error: unknown, typeId: string): unknown {
  if (error instanceof Error && error.name === "UniquenessError") {
    const what = typeId === "User" ? "userName" : "displayName";
    return new ScimError(409, `A ${typeId} with the same ${what} already exists`, "uniqueness");
  }
  if (error instanceof Error && error.name === "VersionConflictError") {
    return new ScimError(412, "The resource has changed since the version given in If-Match");
  }
  return error;
}

export const resourceNotFound = (typeId: string, id: string) => new ScimError(404, `${typeId} "${id}" not found`);

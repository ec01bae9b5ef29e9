/**
 * A SCIM filter or sort as text → the AST core hands a store, parsed exactly as a request's would
 * be. For a store author's own tests and tools: a store never parses filters itself.
 */
import { profiles, type ProfileName } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { ScimConfigError } from "../errors.js";
import type { Filter, Sort } from "../filter/ast.js";
import { parseFilter } from "../filter/parse.js";
import { SchemaRegistry, type ExtensionRegistration } from "../schema/registry.js";
import { URN } from "../schema/urns.js";

export interface FilterTextOptions {
  /** The resource type the filter applies to. @default "User" */
  readonly resourceType?: string | undefined;
  /** Extension schemas the filter may name, as the server is configured with. @default [] */
  readonly extensions?: readonly ExtensionRegistration[] | undefined;
  /** The IdP profile whose filter tolerances apply. @default "rfc" (strict RFC 7644) */
  readonly profile?: ProfileName | undefined;
}

// Registries are immutable once built: one per extension list serves every call.
const registries = new WeakMap<readonly ExtensionRegistration[], SchemaRegistry>();
const NONE: readonly ExtensionRegistration[] = [];

function registryFor(extensions: readonly ExtensionRegistration[]): SchemaRegistry {
  let registry = registries.get(extensions);
  if (!registry) registries.set(extensions, (registry = new SchemaRegistry(extensions)));
  return registry;
}

/** Parses a SCIM filter; throws {@link ScimConfigError} naming the problem when it does not parse. */
export function filterFromText(text: string, options: FilterTextOptions = {}): Filter {
  const type = options.resourceType ?? "User";
  const parsed = parseFilter(
    registryFor(options.extensions ?? NONE),
    type,
    text,
    toleranceContext(profiles[options.profile ?? "rfc"]),
  );
  if (!parsed.ok) throw new ScimConfigError(`filter ${JSON.stringify(text)} does not parse: ${parsed.error}`);
  return parsed.value;
}

/** Resolves a `sortBy` attribute path into the sort a store receives. */
export function sortFromText(
  sortBy: string,
  order: Sort["order"] = "ascending",
  options: Omit<FilterTextOptions, "profile"> = {},
): Sort {
  const ref = registryFor(options.extensions ?? NONE).resolve(options.resourceType ?? "User", sortBy);
  if (!ref.ok) throw new ScimConfigError(`sortBy ${JSON.stringify(sortBy)}: ${ref.error}`);
  return { by: ref.value, order };
}

/** The schema URNs of the core schemas and messages, for building test data. */
export { URN };

import { describe, expect, it } from "vitest";
import { routeRequest } from "./route.js";

describe("routeRequest", () => {
  it("finds the base path from the right, whatever the mount path", () => {
    expect(routeRequest("/scim/v2/Users")).toEqual({
      basePath: "/scim/v2",
      directoryId: null,
      route: { kind: "collection", endpoint: "Users" },
    });
    expect(routeRequest("/api/users/scim/Users/abc")).toEqual({
      basePath: "/api/users/scim",
      directoryId: null,
      route: { kind: "resource", endpoint: "Users", id: "abc" },
    });
    expect(routeRequest("/Groups")).toEqual({
      basePath: "",
      directoryId: null,
      route: { kind: "collection", endpoint: "Groups" },
    });
  });

  it("recognises searches, discovery and per-directory base URLs", () => {
    expect(routeRequest("/scim/v2/Users/.search").route).toEqual({ kind: "search", endpoint: "Users" });
    expect(routeRequest("/scim/v2/.search").route).toEqual({ kind: "search", endpoint: null });
    expect(routeRequest("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").route).toEqual({
      kind: "resource",
      endpoint: "Schemas",
      id: "urn:ietf:params:scim:schemas:core:2.0:User",
    });
    const d = routeRequest("/scim/v2/dir_0123456789abcdef/Users/u1");
    expect(d.directoryId).toBe("dir_0123456789abcdef");
    expect(d.basePath).toBe("/scim/v2/dir_0123456789abcdef");
  });

  it("decodes percent-encoded ids and returns no route for unknown paths", () => {
    expect(routeRequest("/scim/v2/Users/a%20b").route).toEqual({ kind: "resource", endpoint: "Users", id: "a b" });
    expect(routeRequest("/scim/v2/Widgets").route).toBeNull();
    expect(routeRequest("/").route).toBeNull();
  });

  it("trusts a configured mount path over detection", () => {
    expect(routeRequest("/scim/v2/Users", "/scim/v2").route).toEqual({ kind: "collection", endpoint: "Users" });
    expect(routeRequest("/other/Users", "/scim/v2").route).toBeNull();
    expect(routeRequest("/scim/v2/dir_0123456789abcdef/Users", "/scim/v2").directoryId).toBe("dir_0123456789abcdef");
  });
});

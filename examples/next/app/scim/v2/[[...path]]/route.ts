// Every path under /scim/v2 (and /scim/v2 itself) is served by the SCIM engine.
import { createNextRouteHandlers } from "@scimkit/next";
import { scimServer } from "../../../../src/server-slot";

// SCIM answers depend on the caller's token and the data: never cache or prerender them.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const { GET, POST, PUT, PATCH, DELETE } = createNextRouteHandlers((request) => scimServer().fetch(request));

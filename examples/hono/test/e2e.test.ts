import { fileURLToPath } from "node:url";
import { describeExample } from "@scimkit/example-scenarios";

describeExample("Hono example (@hono/node-server) over real HTTP", {
  dir: fileURLToPath(new URL("..", import.meta.url)),
});

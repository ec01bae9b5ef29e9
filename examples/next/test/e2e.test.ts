import { fileURLToPath } from "node:url";
import { describeExample } from "@scimkit/example-scenarios";

describeExample("Next.js example over real HTTP", {
  dir: fileURLToPath(new URL("..", import.meta.url)),
  // `next dev` compiles the route on its first request; on two cores that stays well under this.
  readyTimeoutMs: 180_000,
  env: { NEXT_TELEMETRY_DISABLED: "1" },
});

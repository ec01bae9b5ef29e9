import { fileURLToPath } from "node:url";
import { describeExample } from "@scimkit/example-scenarios";

describeExample("NestJS example over real HTTP", { dir: fileURLToPath(new URL("..", import.meta.url)) });

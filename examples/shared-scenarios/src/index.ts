/**
 * The shared end-to-end scenarios of the scimkit examples: each example's test starts it as a real
 * server and runs this one list over HTTP, so every framework adapter is held to the same behaviour.
 *
 * @module
 */
export { ScimClient, type ListResponse, type Resource, type ScimResponse } from "./client.js";
export { describeExample, type ExampleSuiteOptions } from "./describe-example.js";
export { scenarios, type Scenario } from "./scenarios.js";
export { freePort, startExample, type RunningExample, type StartOptions } from "./start-example.js";

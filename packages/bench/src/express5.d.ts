// Express 5 is installed under the alias `express5` (the name `express` is Express 4, which SCIMMY's
// routers need). Both majors share the API surface used here, so the one set of types serves both.
declare module "express5" {
  import express from "express";
  export default express;
}

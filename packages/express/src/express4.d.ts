// Tests install Express 4 under the alias `express4`; its API surface used there matches Express 5's types.
declare module "express4" {
  import express from "express";
  export default express;
}

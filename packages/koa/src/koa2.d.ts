// Tests install Koa 2 under the alias `koa2`; the API surface used there matches Koa 3's types.
declare module "koa2" {
  import Koa from "koa";
  export default Koa;
}

/** The settings page's stylesheet, bundled as text (esbuild's `text` loader). */
declare module "*.css" {
  const text: string;
  export default text;
}

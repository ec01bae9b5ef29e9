/**
 * `<scimkit-admin api="/admin">`: the settings page as a custom element, for the page the admin API
 * serves and for the host's own pages. It renders into its shadow root (styles stay inside; the
 * `--scimkit-*` custom properties reach in, so the host's look applies). Strings: the `strings`
 * property, or a `<script type="application/json">` child, over the English ones.
 */
import { render } from "preact";
import { AdminApp } from "./app.js";
import { type AdminStrings, en } from "./strings.js";
import css from "./styles.css";

let sheet: CSSStyleSheet | undefined;

export class ScimkitAdminElement extends HTMLElement {
  static readonly observedAttributes = ["api", "lang"];
  readonly #root: ShadowRoot;
  #strings: Partial<AdminStrings> = {};

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    if (sheet === undefined) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
    }
    this.#root.adoptedStyleSheets = [sheet];
  }

  /** Replacements for any of the English strings, by key. */
  get strings(): Partial<AdminStrings> {
    return this.#strings;
  }

  set strings(value: Partial<AdminStrings>) {
    this.#strings = value ?? {};
    if (this.isConnected) this.#render();
  }

  connectedCallback() {
    this.#render();
  }

  disconnectedCallback() {
    render(null, this.#root);
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#render();
  }

  /** Strings given in a `<script type="application/json">` child (the served page puts translations there). */
  #inlineStrings(): Partial<AdminStrings> {
    const script = this.querySelector('script[type="application/json"]');
    if (script === null) return {};
    try {
      const parsed: unknown = JSON.parse(script.textContent ?? "");
      return parsed !== null && typeof parsed === "object" ? (parsed as Partial<AdminStrings>) : {};
    } catch {
      return {};
    }
  }

  #render() {
    const strings = { ...en, ...this.#inlineStrings(), ...this.#strings };
    const lang = this.getAttribute("lang") || document.documentElement.lang || "en";
    const api = this.getAttribute("api") ?? "";
    render(<AdminApp key={api} api={api} strings={strings} lang={lang} />, this.#root);
  }
}

if (!customElements.get("scimkit-admin")) customElements.define("scimkit-admin", ScimkitAdminElement);

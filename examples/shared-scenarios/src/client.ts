/** A minimal SCIM client over real HTTP, speaking as an IdP does (bearer token, `application/scim+json`). */

export interface ScimResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body, or `null` for an empty one. */
  readonly body: T | null;
}

export interface ListResponse<T> {
  readonly schemas: string[];
  readonly totalResults: number;
  readonly startIndex?: number;
  readonly itemsPerPage?: number;
  readonly Resources?: T[];
}

export interface Resource {
  readonly id: string;
  readonly schemas: string[];
  readonly meta: { readonly resourceType: string; readonly location: string; readonly version?: string };
  readonly [attribute: string]: unknown;
}

export class ScimClient {
  constructor(
    /** The SCIM base URL the example printed, e.g. `http://127.0.0.1:3000/scim/v2`. */
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  /** Sends a request to `baseUrl + path`; `token: null` sends none. */
  async send<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options: { token?: string | null } = {},
  ): Promise<ScimResponse<T>> {
    const token = options.token === undefined ? this.token : options.token;
    const headers: Record<string, string> = {
      accept: "application/scim+json",
      "user-agent": "scimkit-example-scenarios",
    };
    if (token !== null) headers["authorization"] = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/scim+json; charset=utf-8";
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === "" ? null : (JSON.parse(text) as T) };
  }

  get<T = Resource>(path: string) {
    return this.send<T>("GET", path);
  }

  post<T = Resource>(path: string, body: unknown) {
    return this.send<T>("POST", path, body);
  }

  put<T = Resource>(path: string, body: unknown) {
    return this.send<T>("PUT", path, body);
  }

  patch<T = Resource>(path: string, operations: unknown[]) {
    return this.send<T>("PATCH", path, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: operations,
    });
  }

  delete(path: string) {
    return this.send("DELETE", path);
  }
}

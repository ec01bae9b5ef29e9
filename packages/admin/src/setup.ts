/**
 * Setup steps per IdP, with the connection's SCIM base URL and its token (masked: the secret is
 * shown only when created) filled in. Facts follow docs/connecting-idps.md.
 */
import type { IdpKind } from "@scimkit/core";

export const idpKinds = [
  "okta",
  "entra",
  "onelogin",
  "jumpcloud",
  "ping",
  "generic",
] as const satisfies readonly IdpKind[];
// Fails to compile when core learns an IdP this list lacks.
const _everyIdp: (typeof idpKinds)[number] extends IdpKind
  ? IdpKind extends (typeof idpKinds)[number]
    ? true
    : never
  : never = true;
void _everyIdp;

export const idpLabels: Readonly<Record<IdpKind, string>> = {
  okta: "Okta",
  entra: "Microsoft Entra ID",
  onelogin: "OneLogin",
  jumpcloud: "JumpCloud",
  ping: "Ping Identity",
  generic: "Other SCIM 2.0 client",
};

export interface SetupStep {
  readonly title: string;
  readonly detail: string;
}

/** What an admin follows to connect an IdP, with this connection's values in place. */
export interface SetupGuide {
  readonly idp: IdpKind;
  readonly label: string;
  readonly scimBaseUrl: string;
  /** The token as it may be shown again: prefix and last four (`scimkit_…AbCd`), or null without one. */
  readonly tokenHint: string | null;
  readonly steps: readonly SetupStep[];
  readonly notes: readonly string[];
}

const common = [
  "Map each user's email address to userName: it is what the IdP looks users up by and what stays unique in the tenant.",
  "The base URL must be reachable from the IdP's cloud over HTTPS; localhost does not work.",
];

export function setupGuide(idp: IdpKind, scimBaseUrl: string, tokenHint: string | null): SetupGuide {
  const token =
    tokenHint === null
      ? "the token (create one first; it is shown once)"
      : `the token (${tokenHint}, as shown when created)`;
  const s = (title: string, detail: string): SetupStep => ({ title, detail });
  let steps: SetupStep[];
  let notes: string[];
  switch (idp) {
    case "okta":
      steps = [
        s("Enable SCIM", "Applications → your app integration → General: enable SCIM provisioning."),
        s(
          "Connect",
          `Provisioning → Integration: SCIM connector base URL = ${scimBaseUrl}; Unique identifier field for users = userName; ` +
            `Supported provisioning actions: Push New Users, Push Profile Updates, Push Groups; Authentication Mode: HTTP Header, Bearer = ${token}. ` +
            "Click Test Connector Configuration.",
        ),
        s("Send emails as usernames", "Sign On → Credentials Details: Application username format = Email."),
        s("Choose actions", "Provisioning → To App: tick Create Users, Update User Attributes and Deactivate Users."),
        s("Push groups", "Push Groups: pushed groups arrive inactive until mapped to a role here."),
      ];
      notes = ["Okta never deletes users over SCIM: it deactivates them (active: false)."];
      break;
    case "entra":
      steps = [
        s(
          "Create the application",
          "Enterprise applications → New application → Create your own application (non-gallery) → Provisioning → Automatic.",
        ),
        s("Connect", `Tenant URL = ${scimBaseUrl}; Secret Token = ${token}. Click Test Connection.`),
        s(
          "Map attributes",
          "Mappings → Provision Microsoft Entra ID Users: under Target Object Actions tick Create, Update and Delete; give userName the email " +
            "(mail, or userPrincipalName where UPNs are email addresses). Do the same for Groups if you push groups.",
        ),
        s(
          "Start",
          "Users and groups: assign who to provision, then Start provisioning. Use Provision on demand to test one user.",
        ),
      ];
      notes = [
        "Provisioning cycles run about every 40 minutes.",
        'Entra disables users with active: "False" and deletes only after a hard delete at the source.',
      ];
      break;
    case "onelogin":
      steps = [
        s("Add the application", "Applications → Add App → SCIM Provisioner with SAML (SCIM v2 Core)."),
        s(
          "Connect",
          `Configuration: SCIM Base URL = ${scimBaseUrl}; SCIM Bearer Token = ${token}. Click Enable under API Connection.`,
        ),
        s("Send emails as usernames", "Parameters: SCIM Username = Email."),
        s(
          "Enable provisioning",
          "Provisioning: tick Enable provisioning; untick admin approval for Create, Delete and Update user unless wanted; " +
            "for deleted and suspended users choose Suspend. Save.",
        ),
      ];
      notes = ["Prefer Suspend: after a hard delete OneLogin cannot reactivate the user."];
      break;
    case "jumpcloud":
      steps = [
        s("Connect", `In the application's SCIM settings: base URL = ${scimBaseUrl}; bearer token = ${token}.`),
        s("Test", "Run JumpCloud's test connection: it creates and then deletes a test user and group."),
      ];
      notes = [];
      break;
    case "ping":
      steps = [
        s("Connect", `In the SCIM connector: base URL = ${scimBaseUrl}; authentication: Bearer token = ${token}.`),
        s("Test", "Provision one test user and check it under Users here."),
      ];
      notes = ["Ping pages through every group; paging is stable."];
      break;
    case "generic":
      steps = [
        s("Connect", `Point the client at ${scimBaseUrl} and send Authorization: Bearer ${token}.`),
        s("Test", `GET ${scimBaseUrl}/Users?count=1 with that header answers 200 with a ListResponse.`),
      ];
      notes = [];
      break;
  }
  return { idp, label: idpLabels[idp], scimBaseUrl, tokenHint, steps, notes: [...notes, ...common] };
}

/** RFC 7643 §4.1 and §8.7.1: the core User schema. */
import { attr, type SchemaDefinition } from "./attribute.js";
import { typedValues } from "./multi-valued.js";
import { URN } from "./urns.js";

const kind = ["work", "home", "other"];

export const userSchema: SchemaDefinition = {
  id: URN.User,
  name: "User",
  description: "User Account",
  attributes: [
    attr("userName", "string", {
      required: true,
      uniqueness: "server",
      description: "Unique identifier for the User, typically used to sign in.",
    }),
    attr("name", "complex", {
      subAttributes: [
        attr("formatted", "string"),
        attr("familyName", "string"),
        attr("givenName", "string"),
        attr("middleName", "string"),
        attr("honorificPrefix", "string"),
        attr("honorificSuffix", "string"),
      ],
    }),
    attr("displayName", "string"),
    attr("nickName", "string"),
    attr("profileUrl", "reference"),
    attr("title", "string"),
    attr("userType", "string"),
    attr("preferredLanguage", "string"),
    attr("locale", "string"),
    attr("timezone", "string"),
    attr("active", "boolean"),
    attr("password", "string", { mutability: "writeOnly", returned: "never", caseExact: true }),
    typedValues("emails", "Email addresses for the user.", kind),
    typedValues("phoneNumbers", "Phone numbers for the User.", ["work", "home", "mobile", "fax", "pager", "other"]),
    typedValues("ims", "Instant messaging addresses for the User.", [
      "aim",
      "gtalk",
      "icq",
      "xmpp",
      "msn",
      "skype",
      "qq",
      "yahoo",
    ]),
    typedValues("photos", "URLs of photos of the User.", ["photo", "thumbnail"], "reference"),
    attr("addresses", "complex", {
      multiValued: true,
      subAttributes: [
        attr("formatted", "string"),
        attr("streetAddress", "string"),
        attr("locality", "string"),
        attr("region", "string"),
        attr("postalCode", "string"),
        attr("country", "string"),
        attr("type", "string", { canonicalValues: kind }),
        attr("primary", "boolean"),
      ],
    }),
    attr("groups", "complex", {
      multiValued: true,
      mutability: "readOnly",
      description: "Groups the user belongs to, maintained by the service provider from Group membership.",
      subAttributes: [
        attr("value", "string", { mutability: "readOnly" }),
        attr("$ref", "reference", { mutability: "readOnly", referenceTypes: ["User", "Group"] }),
        attr("display", "string", { mutability: "readOnly" }),
        attr("type", "string", { mutability: "readOnly", canonicalValues: ["direct", "indirect"] }),
      ],
    }),
    typedValues("entitlements", "Entitlements of the User.", undefined),
    typedValues("roles", "Roles of the User.", undefined),
    attr("x509Certificates", "complex", {
      multiValued: true,
      subAttributes: [
        attr("value", "binary"),
        attr("display", "string"),
        attr("type", "string"),
        attr("primary", "boolean"),
      ],
    }),
  ],
};

/** Short names for the generated schema's types the screens use (src/api/schema.d.ts, from the app's OpenAPI). */
import type { components } from "./schema";

type S = components["schemas"];

/** problem+json; a sign-in refusal adds `reason` ("second_factor_required") and the enrolled `factors`. */
export type Problem = S["Problem"] & {
  reason?: string;
  factors?: string[];
  errors?: { field: string; message: string }[];
};
export type Account = S["Account"];
export type Role = Account["role"];
export type Factors = S["Factors"];
export type Session = S["Session"];
export type Me = S["Me"];
export type TotpSetup = S["TotpSetup"];
export type Passkey = S["Passkey"];
export type WorkbookCheck = S["WorkbookImport"];
export type WorkbookReport = S["ImportedReport"];

/**
 * Routes of the issue-16 contract (/work/plan: accounts, sessions, the portal's periods and
 * workbook) typed by hand until the app's OpenAPI document declares them. `AllPaths` in
 * client.ts lets the generated schema win for every path it has, so each entry here stops
 * mattering the moment its route is merged.
 */
import type { components } from "./schema";

export type Problem = components["schemas"]["Problem"] & {
  reason?: string;
  factors?: string[];
  errors?: { field: string; message: string }[];
};

type Json<T> = { headers: { [name: string]: unknown }; content: { "application/json": T } };
type Empty = { headers: { [name: string]: unknown }; content?: never };
type Failure = { headers: { [name: string]: unknown }; content: { "application/problem+json": Problem } };
type Params<P, Q> = { query?: [Q] extends [never] ? never : Q; header?: never; cookie?: never }
  & ([P] extends [never] ? { path?: never } : { path: P });
type Op<P, Q, B, R> = { parameters: Params<P, Q> }
  & ([B] extends [never] ? { requestBody?: never } : { requestBody: { content: { "application/json": B } } })
  & { responses: R & { 400: Failure; 401: Failure; 403: Failure; 404: Failure; 409: Failure; 422: Failure; 429: Failure } };
type Path<M> = { parameters: { query?: never; header?: never; path?: never; cookie?: never } } & M;

export type Role = "admin" | "leader" | "unit";
export interface Factors { totp: boolean; passkeys: number }
export interface Account {
  id: string; email: string; name: string; role: Role; unit_id: string | null;
  status: "invited" | "active" | "disabled"; factors: Factors; created_at: string; last_sign_in_at: string | null;
}
export interface Session { token: string; expires_at: string; account: Account }
export interface UnitBrief { id: string; name: string; parent_id?: string | null; kind?: string }
export interface MeV2 {
  account: Account | null; token_id: string; role: Role; unit: UnitBrief | null; factors?: Factors;
  needs_second_factor?: boolean; unit_id?: string | null; name?: string;
}
export type PeriodState = "missing" | "submitted" | "returned" | "accepted";
export interface PeriodRow {
  period: string; deadline: string; state: PeriodState; locked: boolean; lock_reason: string | null;
  return_note: string | null; version: number | null; etag: string | null; next_step: string;
}
export interface UnitPeriods {
  items: PeriodRow[];
  sub_units: { unit_id: string; name: string; periods: { period: string; state: PeriodState }[] }[];
}
export interface WorkbookReport {
  unit_id: string; unit_name: string; values: Record<string, number>; comments: Record<string, string>;
  achievements: string; etag: string | null;
}
export interface WorkbookCheck {
  reports: WorkbookReport[];
  errors: { sheet: string; row: number; column: string; field: string; message: string }[];
}
export interface TotpSetup { secret: string; uri: string; qr_svg: string }
export interface Passkey { id: string; name?: string; created_at?: string }

type UnitP = { unit_id: string };
type UnitPeriodP = { unit_id: string; period: string };

export interface PendingPaths {
  "/v1/sessions": Path<{ post: Op<never, never, { email: string; password: string; otp?: string; passkey?: unknown }, { 201: Json<Session> }> }>;
  "/v1/sessions/current": Path<{ delete: Op<never, never, never, { 204: Empty }> }>;
  "/v1/sessions/passkey-challenge": Path<{ post: Op<never, never, { email: string }, { 200: Json<Record<string, unknown>> }> }>;
  "/v1/password": Path<{ post: Op<never, never, { token: string; password: string }, { 204: Empty }> }>;
  "/v1/password-resets": Path<{ post: Op<never, never, { email: string }, { 202: Empty }> }>;
  "/v1/accounts": Path<{
    get: Op<never, { unit_id?: string; cursor?: string }, never, { 200: Json<{ items: Account[]; next: string | null }> }>;
    post: Op<never, never, { email: string; name: string; role: Role; unit_id: string | null }, { 201: Json<Account> }>;
  }>;
  "/v1/accounts/{account_id}": Path<{
    patch: Op<{ account_id: string }, never, { name?: string; status?: "disabled" | "active"; role?: Role; unit_id?: string | null }, { 200: Json<Account> }>;
  }>;
  "/v1/accounts/{account_id}/invitation": Path<{ post: Op<{ account_id: string }, never, never, { 202: Empty }> }>;
  "/v1/me/totp": Path<{ post: Op<never, never, never, { 200: Json<TotpSetup> }>; delete: Op<never, never, never, { 204: Empty }> }>;
  "/v1/me/totp/confirm": Path<{ post: Op<never, never, { otp: string }, { 204: Empty }> }>;
  "/v1/me/passkeys/options": Path<{ post: Op<never, never, never, { 200: Json<Record<string, unknown>> }> }>;
  "/v1/me/passkeys": Path<{
    get: Op<never, never, never, { 200: Json<{ items: Passkey[]; next: string | null }> }>;
    post: Op<never, never, { credential: unknown; name?: string }, { 201: Json<Passkey> }>;
  }>;
  "/v1/units/{unit_id}/periods": Path<{ get: Op<UnitP, { kind?: string }, never, { 200: Json<UnitPeriods> }> }>;
  "/v1/units/{unit_id}/reports/{period}/workbook": Path<{ post: Op<UnitPeriodP, never, never, { 200: Json<WorkbookCheck> }> }>;
}

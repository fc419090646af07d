/** The one API client: openapi-fetch typed from the app's own OpenAPI document. */
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import type { Problem, Session } from "./types";

/** Where index.html was served ("/" locally, "/<stage>/" behind API Gateway), without the final "/". */
export function apiBase(): string {
  const url = new URL(".", document.baseURI);
  return url.href.replace(/\/$/, "");
}

const SESSION_KEY = "thidua.session";

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    if (session.expires_at && Date.parse(session.expires_at) < Date.now()) {
      localStorage.removeItem(SESSION_KEY);
      return null;
    }
    return session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else localStorage.removeItem(SESSION_KEY);
}

/** Called when the API answers 401 to a signed-in call (the session ended): the app goes to sign-in. */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

const auth: Middleware = {
  onRequest({ request }) {
    const session = loadSession();
    if (session && !request.headers.has("Authorization")) {
      request.headers.set("Authorization", `Bearer ${session.token}`);
    }
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has("Authorization") && !request.url.endsWith("/v1/sessions")) {
      onUnauthorized();
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: apiBase() });
api.use(auth);

/** The problem+json body of a failed call (openapi-fetch's `error`), shaped for the screens. */
export function asProblem(error: unknown, response?: Response): Problem {
  if (error && typeof error === "object" && "status" in error) return error as Problem;
  return { status: response?.status ?? 0, title: "Lỗi", detail: typeof error === "string" ? error : undefined };
}

/** An Idempotency-Key: random, made once per submission and kept with it until it is answered. */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Field errors of a problem by field name ("values.fines_vnd" -> message). */
export function fieldErrors(problem: Problem | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of problem?.errors ?? []) out[e.field] = out[e.field] ? `${out[e.field]} ${e.message}` : e.message;
  return out;
}

/** A short Vietnamese sentence for a failed call. */
export function describe(problem: Problem): string {
  if (problem.status === 0) return "Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.";
  if (problem.status === 403) return "Bạn không có quyền thực hiện thao tác này.";
  if (problem.status >= 500) return "Máy chủ đang gặp sự cố. Vui lòng thử lại sau ít phút.";
  return problem.detail || problem.title;
}

/** fetch() with the session's token, for the binary bodies (the workbook) openapi-fetch would serialise. */
export function authFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const session = loadSession();
  if (session) headers.set("Authorization", `Bearer ${session.token}`);
  return fetch(apiBase() + path, { ...init, headers }).then((response) => {
    if (response.status === 401 && session) onUnauthorized();
    return response;
  });
}

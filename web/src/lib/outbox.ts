/**
 * The outbox: every report submission is written here (IndexedDB) with its Idempotency-Key
 * BEFORE it is sent, and leaves it only when the API has answered. A submission made offline,
 * or whose answer was lost (a network error after sending), is sent again later with the SAME
 * key: the API then replays its first answer, so a retry never makes a second revision.
 */
import { api, asProblem } from "../api/client";
import type { Problem } from "../api/types";
import type { components } from "../api/schema";
import { idb } from "./idb";

export type ReportIn = components["schemas"]["ReportIn"];
export type Report = components["schemas"]["Report"];

export interface Outgoing {
  key: string;
  unit_id: string;
  period: string;
  body: ReportIn;
  if_match: string | null;
  created_at: string;
  attempts: number;
}

export type Outcome =
  | { kind: "sent"; item: Outgoing; report: Report; etag: string | null }
  | { kind: "queued"; item: Outgoing }
  | { kind: "refused"; item: Outgoing; problem: Problem };

type Listener = (outcome: Outcome) => void;
const listeners = new Set<Listener>();

export function onOutcome(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(outcome: Outcome): void {
  for (const l of listeners) l(outcome);
}

export async function pending(): Promise<Outgoing[]> {
  try {
    return await idb.all<Outgoing>("outbox");
  } catch {
    return [];
  }
}

const inFlight = new Set<string>();

/** Send one queued submission; a network error leaves it queued (same key next time). */
export async function send(item: Outgoing): Promise<Outcome> {
  if (inFlight.has(item.key)) return { kind: "queued", item };
  inFlight.add(item.key);
  try {
    const headers: Record<string, string> = { "Idempotency-Key": item.key };
    if (item.if_match) headers["If-Match"] = item.if_match;
    let result;
    try {
      result = await api.PUT("/v1/units/{unit_id}/reports/{period}", {
        params: { path: { unit_id: item.unit_id, period: item.period } },
        headers,
        body: item.body,
      });
    } catch {
      // No answer: offline, or the answer was lost on the way back. Keep it with its key.
      const queued = { ...item, attempts: item.attempts + 1 };
      await idb.put("outbox", queued);
      // Online but unanswered (a lost answer, a dropped connection): try again soon, backing off.
      if (navigator.onLine) setTimeout(() => void flush(), Math.min(30_000, 2_000 * 2 ** Math.min(queued.attempts, 4)));
      const outcome: Outcome = { kind: "queued", item: queued };
      emit(outcome);
      return outcome;
    }
    const status = result.response.status;
    // Not an answer to this submission yet: the server failed, the session must be renewed, or the
    // same key is still being processed (409 with Retry-After): keep it, same key, for later.
    if (status >= 500 || status === 401 || status === 429 || (status === 409 && result.response.headers.has("Retry-After"))) {
      const outcome: Outcome = { kind: "queued", item }; // try again later (or after signing in again)
      emit(outcome);
      return outcome;
    }
    await idb.delete("outbox", item.key);
    if (result.data) forgetDraft(item);
    const outcome: Outcome = result.data
      ? { kind: "sent", item, report: result.data, etag: result.response.headers.get("ETag") }
      : { kind: "refused", item, problem: asProblem(result.error, result.response) };
    emit(outcome);
    return outcome;
  } finally {
    inFlight.delete(item.key);
  }
}

/** Queue a submission (persisted first), then try to send it at once when online. */
export async function submit(unit_id: string, period: string, body: ReportIn, if_match: string | null,
                             key: string): Promise<Outcome> {
  const item: Outgoing = { key, unit_id, period, body, if_match, created_at: new Date().toISOString(), attempts: 0 };
  await idb.put("outbox", item);
  if (!navigator.onLine) {
    const outcome: Outcome = { kind: "queued", item };
    emit(outcome);
    return outcome;
  }
  return send(item);
}

/** The form's draft (localStorage) is done with once its submission is answered. */
function forgetDraft(item: Outgoing): void {
  const name = `thidua.draft.${item.unit_id}.${item.period}`;
  try {
    const draft = JSON.parse(localStorage.getItem(name) ?? "null") as { key?: string } | null;
    if (draft?.key === item.key) localStorage.removeItem(name);
  } catch {
    localStorage.removeItem(name);
  }
}

let flushing = false;

/** Send everything still queued, oldest first. */
export async function flush(): Promise<void> {
  if (flushing || !navigator.onLine) return;
  flushing = true;
  try {
    const items = (await pending()).sort((a, b) => a.created_at.localeCompare(b.created_at));
    for (const item of items) await send(item);
  } finally {
    flushing = false;
  }
}

export function startOutbox(): void {
  window.addEventListener("online", () => void flush());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void flush();
  });
  // navigator.onLine can say "online" while nothing answers: try again now and then.
  setInterval(() => void flush(), 15_000);
  void flush();
}

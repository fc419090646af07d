/**
 * The register of commendations (sổ theo dõi khen thưởng) over HTTP: GET /v1/register (JSON or, with the
 * xlsx Accept header, the workbook), the import template, an import's preview and its confirmation.
 * Every call goes through authFetch: the workbook bodies are binary, and the JSON shapes are the
 * contract of issue 19 (chalicelib/register), kept here beside the screens that read them.
 */
import { asProblem, authFetch, describe } from "../../api/client";
import type { components } from "../../api/schema";
import type { Fetched } from "../../components/pages";
import { dispositionName } from "../../lib/files";

export const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const OFFLINE = "Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.";

type S = components["schemas"];
/** A register entry (GET /v1/register); the conference's title is shown when an answer carries it. */
export type Entry = S["RegisterEntry"] & { conference_title?: string | null };
export type EntryPage = S["RegisterPage"];
export type ImportPreview = S["RegisterImport"];
export type ImportConfirmed = S["RegisterImportConfirmed"];

export interface Search { q: string; unitId: string; awardForm: string; year: string }

export const KIND_TEXT: Record<string, string> = { individual: "Cá nhân", collective: "Tập thể" };

/** The query string of a search ("?q=nguyen&year=2025"), empty fields left out. */
export function searchQuery(s: Search, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (s.q.trim()) params.set("q", s.q.trim());
  if (s.unitId) params.set("unit_id", s.unitId);
  if (s.awardForm) params.set("award_form", s.awardForm);
  if (s.year) params.set("year", s.year);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** A JSON call shaped as openapi-fetch answers it, for usePages. */
export async function getJson<T>(path: string, init: RequestInit = {}): Promise<Fetched<T>> {
  const response = await authFetch(path, { ...init, headers: { Accept: "application/json", ...(init.headers ?? {}) } });
  const body = await response.json().catch(() => undefined);
  return response.ok ? { data: body as T, response } : { error: body, response };
}

/** Fetch a workbook and save it (a blob link clicked once); the error text, or null when the download started. */
export async function downloadWorkbook(path: string, fallback: string): Promise<string | null> {
  try {
    const response = await authFetch(path, { headers: { Accept: XLSX } });
    if (!response.ok) return describe(asProblem(await response.json().catch(() => undefined), response));
    const blob = new Blob([await response.arrayBuffer()], { type: XLSX });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = dispositionName(response.headers.get("Content-Disposition")) ?? fallback;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    return null;
  } catch {
    return OFFLINE;
  }
}

/**
 * Sổ theo dõi khen thưởng (#/so-khen-thuong): who was awarded what and when, searched by name (diacritics
 * optional), unit, award form and year; paged; exported to Excel. Staff see every unit, a unit its subtree
 * (the API decides: GET /v1/register). The office also imports past years from a spreadsheet (a link to
 * #/so-khen-thuong/nhap).
 */
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe } from "../../api/client";
import { MoreButton } from "../../components/MoreButton";
import { usePages } from "../../components/pages";
import { UnitChoice, type UnitLike } from "../../components/units";
import { date, num } from "../../lib/format";
import { go } from "../../lib/router";
import { Heading, Loading, Notice, useWho } from "../../ui";
import { KIND_TEXT, downloadWorkbook, getJson, searchQuery, type Entry, type EntryPage, type Search } from "./register";
import "./register.css";

const PAGE = 50;
const EMPTY: Search = { q: "", unitId: "", awardForm: "", year: "" };
const YEARS = 30; // the year picker: this year and the 29 before it (the register's imported past)

/** The units a person may filter by: staff every unit (GET /v1/trends/units), a unit itself and its sub-units. */
function useUnitChoices(role: string, unitId: string | null, unitName: string | null): { units: UnitLike[] | null; error: string | null } {
  const [units, setUnits] = useState<UnitLike[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const fail = (text: string) => live && setError(text);
    if (role !== "unit") {
      api.GET("/v1/trends/units").then(({ data, error: e, response }) => {
        if (!live) return;
        if (data) setUnits(data.items);
        else fail(describe(asProblem(e, response)));
      }, () => fail("Không tải được danh sách đơn vị."));
    } else if (unitId) {
      api.GET("/v1/units/{unit_id}/periods", { params: { path: { unit_id: unitId }, query: { kind: "month" } } }).then(({ data }) => {
        if (!live) return;
        const own: UnitLike = { id: unitId, name: data?.name ?? unitName ?? unitId, parent_id: null };
        setUnits([own, ...(data?.sub_units ?? []).map((s) => ({ id: s.unit_id, name: s.name, parent_id: unitId }))]);
      }, () => live && setUnits([{ id: unitId, name: unitName ?? unitId, parent_id: null }]));
    } else {
      setUnits([]);
    }
    return () => {
      live = false;
    };
  }, [role, unitId]);
  return { units, error };
}

/** The search in the address (#/so-khen-thuong?ten=…&don-vi=…&hinh-thuc=…&nam=…): a reload or a shared link keeps it. */
const PARAMS: [keyof Search, string][] = [["q", "ten"], ["unitId", "don-vi"], ["awardForm", "hinh-thuc"], ["year", "nam"]];

function fromQuery(query: URLSearchParams): Search {
  const out = { ...EMPTY };
  for (const [key, param] of PARAMS) out[key] = query.get(param) ?? "";
  return out;
}

function toHash(s: Search): string {
  const params = new URLSearchParams();
  for (const [key, param] of PARAMS) if (s[key].trim()) params.set(param, s[key].trim());
  const text = params.toString();
  return `#/so-khen-thuong${text ? `?${text}` : ""}`;
}

export default function Register({ query: address }: { query: URLSearchParams }) {
  const who = useWho();
  const search = fromQuery(address);
  const [draft, setDraft] = useState<Search>(search);
  const [forms, setForms] = useState<{ code: string; name: string }[] | null>(null);
  const [conferences, setConferences] = useState<Map<string, string>>(new Map());
  const [exporting, setExporting] = useState(false);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const { units, error: unitsError } = useUnitChoices(who.role, who.unitId, who.unitName);

  useEffect(() => {
    api.GET("/v1/award-forms").then(({ data }) => setForms(data?.items ?? []), () => setForms([]));
    if (who.role === "admin") {
      // The conference an entry came from, by its title (the office reads the conference list; 100 latest).
      api.GET("/v1/conferences", { params: { query: { limit: 100 } } }).then(({ data }) => {
        if (data) setConferences(new Map(data.items.map((c) => [c.id, c.title])));
      }, () => undefined);
    }
  }, []);

  const query = searchQuery(search);
  useEffect(() => setDraft(search), [query]); // back, forward, a link: the form shows the search made
  const list = usePages<EntryPage, Entry>(
    (cursor) => getJson<EntryPage>(`/v1/register${searchQuery(search, { limit: String(PAGE), ...(cursor ? { cursor } : {}) })}`),
    (body) => ({ items: body.items, next: body.next ?? null }), [query]);

  function submit(e: Event) {
    e.preventDefault();
    setMessage(null);
    go(toHash(draft));
  }

  async function exportNow() {
    setMessage(null);
    setExporting(true);
    const failed = await downloadWorkbook(`/v1/register${query}`, "so-khen-thuong.xlsx");
    setExporting(false);
    setMessage(failed ? { kind: "error", text: failed } : { kind: "ok", text: "Đã tải sổ khen thưởng (Excel) theo điều kiện tìm kiếm." });
  }

  const thisYear = new Date().getFullYear();
  const filtered = !!(search.q.trim() || search.unitId || search.awardForm || search.year);
  const set = (patch: Partial<Search>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <section class="reg">
      <Heading>Sổ theo dõi khen thưởng</Heading>
      <p class="lead">
        Các hình thức khen thưởng đã được quyết định: ai, hình thức nào, theo quyết định số mấy, ngày nào.
        {who.role === "unit" ? " Sổ hiển thị đơn vị của bạn và các đơn vị cấp dưới." : ""}
      </p>
      {who.role === "admin" && (
        <div class="actions">
          <a class="button button--secondary" href="#/so-khen-thuong/nhap">Nhập sổ từ tệp Excel</a>
        </div>
      )}

      <form class="card reg-search" onSubmit={submit} role="search" aria-label="Tìm trong sổ khen thưởng">
        <div class="field reg-search__name">
          <label for="reg-q">Họ tên hoặc tên tập thể</label>
          <p class="hint" id="reg-q-hint">Gõ có dấu hoặc không dấu đều được: “nguyen thi hoa” tìm được “Nguyễn Thị Hòa”.</p>
          <input id="reg-q" type="search" value={draft.q} aria-describedby="reg-q-hint" autoComplete="off"
                 onInput={(e) => set({ q: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for="reg-unit">Đơn vị</label>
          <UnitChoice id="reg-unit" value={draft.unitId} empty="Tất cả đơn vị" units={units} error={unitsError}
                      onChange={(unitId) => set({ unitId })} />
        </div>
        <div class="field">
          <label for="reg-form">Hình thức khen thưởng</label>
          <select id="reg-form" value={draft.awardForm} disabled={!forms}
                  onChange={(e) => set({ awardForm: (e.target as HTMLSelectElement).value })}>
            <option value="">Tất cả hình thức</option>
            {forms?.map((f) => <option key={f.code} value={f.code}>{f.name}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="reg-year">Năm</label>
          <select id="reg-year" value={draft.year} onChange={(e) => set({ year: (e.target as HTMLSelectElement).value })}>
            <option value="">Tất cả các năm</option>
            {Array.from({ length: YEARS }, (_, i) => thisYear - i).map((y) => <option key={y} value={String(y)}>{y}</option>)}
          </select>
        </div>
        <div class="reg-search__buttons">
          <button type="submit" class="button">Tìm kiếm</button>
          {filtered && (
            <button type="button" class="button button--secondary" onClick={() => {
              setMessage(null);
              go(toHash(EMPTY));
            }}>Xóa điều kiện</button>
          )}
        </div>
      </form>

      <div class="toolbar reg-tools">
        <p class="reg-count" aria-live="polite">
          {list.items === null ? "" : list.items.length === 0 ? "" :
            `Đang hiện ${num(list.items.length)} mục${list.next ? " (còn nữa)" : ""}${filtered ? " phù hợp điều kiện tìm kiếm" : ""}.`}
        </p>
        <button type="button" class="button button--secondary" disabled={exporting || !list.items?.length}
                onClick={() => void exportNow()}>
          {exporting ? "Đang tải tệp…" : "Xuất Excel"}
        </button>
      </div>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {list.error && <Notice kind="error">{list.error}</Notice>}
      {list.items === null && !list.error && <Loading />}
      {list.items && list.items.length === 0 && (
        <p class="reg-empty" role="status">
          {filtered ? "Không tìm thấy mục nào phù hợp. Thử bỏ bớt điều kiện hoặc gõ tên không dấu." : "Sổ chưa có mục nào."}
        </p>
      )}
      {list.items && list.items.length > 0 && (
        <table class="rows reg-table">
          <caption class="sr-only">Kết quả tìm kiếm trong sổ khen thưởng</caption>
          <thead>
            <tr>
              <th scope="col">Họ tên / tập thể</th><th scope="col">Đơn vị</th><th scope="col">Hình thức khen thưởng</th>
              <th scope="col">Quyết định</th><th scope="col">Cấp quyết định</th><th scope="col">Hội nghị</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((e) => (
              <tr key={e.id}>
                <th scope="row" class="reg-name">
                  {e.name}
                  <span class="note">{[KIND_TEXT[e.kind] ?? e.kind, e.position, ].filter(Boolean).join(" · ")}
                    {e.officer_number && <> · <span class="reg-nowrap">Số hiệu {e.officer_number}</span></>}</span>
                </th>
                <td data-label="Đơn vị">{e.unit_name ?? e.unit_id}</td>
                <td data-label="Hình thức khen thưởng">{e.award_form_name ?? e.award_form}</td>
                <td data-label="Quyết định"><span class="reg-nowrap">Số {e.decision_number ?? "—"}</span>{" "}
                  <span class="reg-nowrap">ngày {date(e.decision_date)}</span></td>
                <td data-label="Cấp quyết định">{e.granted_by ?? "—"}</td>
                <td data-label="Hội nghị">{conferenceCell(e, conferences, who.role === "admin")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MoreButton list={list} />
    </section>
  );
}

function conferenceCell(e: Entry, titles: Map<string, string>, admin: boolean) {
  if (!e.conference_id) return e.source === "import" ? <span class="note reg-source">Nhập từ sổ cũ (Excel)</span> : "—";
  const title = e.conference_title ?? titles.get(e.conference_id);
  if (admin) return <a href={`#/hoi-nghi/${encodeURIComponent(e.conference_id)}`}>{title ?? "Xem hội nghị"}</a>;
  return title ?? "Xét tại hội nghị thi đua";
}

/** Kỳ báo cáo (#/ky-bao-cao[/<period>]): the period's deadline, who has reported (the completeness
 * board, page by page), each branch's state, and the actions on a unit: open, remind, extend. */
import { MoreButton } from "../../components/MoreButton";
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, authFetch, describe } from "../../api/client";
import type { components } from "../../api/schema";
import { usePages } from "../../components/pages";
import { PeriodSelect, forgetPeriods, usePeriods } from "../../components/PeriodSelect";
import { dateTime, num } from "../../lib/format";
import { go, href } from "../../lib/router";
import { Field, Heading, Loading, Notice, STATE_TEXT } from "../../ui";
import { BRANCH_TEXT, ExceptionDialog, type Message, TIMELINESS_TEXT, fromHanoiInput, remindNow, shortLabel,
  toHanoiInput } from "./shared";
import "./cycle.css";

type Board = components["schemas"]["Completeness"];
type Row = components["schemas"]["CompletenessRow"];
type Counts = components["schemas"]["CompletenessCounts"];
type PeriodInfo = components["schemas"]["PeriodInfo"];

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PAGE = 200;

export default function Cycle({ period }: { period: string | null }) {
  const { periods } = usePeriods("month", 24);
  const chosen = period ?? periods?.find((p) => p.current)?.period ?? null;
  const label = periods?.find((p) => p.period === chosen)?.label ?? (chosen ? shortLabel(chosen) : "");
  const [round, setRound] = useState(0); // a new deadline: the board is read again

  return (
    <section class="cycle">
      <Heading>{label ? `Kỳ báo cáo: ${label}` : "Kỳ báo cáo"}</Heading>
      <div class="toolbar">
        <label for="cycle-period">Kỳ báo cáo</label>
        <PeriodSelect id="cycle-period" value={chosen ?? ""}
                      onChange={(code) => code && go(href("ky-bao-cao", code))} />
      </div>
      {!chosen && <Loading />}
      {chosen && <Deadline key={chosen} period={chosen} label={label} onSaved={() => setRound((n) => n + 1)} />}
      {chosen && <BoardView key={`${chosen}:${round}`} period={chosen} label={label} />}
    </section>
  );
}

function Deadline({ period, label, onSaved }: { period: string; label: string; onSaved: () => void }) {
  const [info, setInfo] = useState<PeriodInfo | null>(null);
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.GET("/v1/periods/{period}", { params: { path: { period } } }).then(({ data, error: e, response }) => {
      if (data) {
        setInfo(data);
        setValue(toHanoiInput(data.deadline));
      } else setMessage({ kind: "error", text: describe(asProblem(e, response)) });
    }, () => setMessage({ kind: "error", text: "Không kết nối được máy chủ." }));
  }, [period]);

  async function save(e: Event) {
    e.preventDefault();
    setMessage(null);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
      setError("Chọn ngày và giờ của hạn nộp.");
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const { data, error: e2, response } = await api.PUT("/v1/periods/{period}", {
        params: { path: { period } }, body: { deadline: fromHanoiInput(value) },
      });
      if (data) {
        setInfo(data);
        setValue(toHanoiInput(data.deadline));
        forgetPeriods();
        setMessage({ kind: "ok", text: `Đã lưu hạn nộp kỳ ${label}: ${dateTime(data.deadline)}.` });
        onSaved();
      } else {
        const problem = asProblem(e2, response);
        const own = problem.errors?.find((x) => x.field === "deadline" || x.field === "period");
        if (own) setError(own.message);
        else setMessage({ kind: "error", text: describe(problem) });
      }
    } catch {
      setMessage({ kind: "error", text: "Không kết nối được máy chủ." });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card cycle-deadline" onSubmit={save} noValidate aria-labelledby="deadline-title">
      <h2 id="deadline-title">Hạn nộp</h2>
      <Field id="cycle-deadline" label="Hạn nộp của kỳ" error={error}
             hint={info ? `Giờ Hà Nội. Hiện tại: ${dateTime(info.deadline)} (${info.open ? "còn hạn" : "đã hết hạn"}).`
               : "Giờ Hà Nội."}>
        {(d, inv) => <input id="cycle-deadline" type="datetime-local" required value={value} disabled={!info}
                            aria-describedby={d} aria-invalid={inv} onInput={(e) => setValue(e.currentTarget.value)} />}
      </Field>
      <button type="submit" class="button" disabled={busy || !info}>Lưu hạn nộp</button>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
    </form>
  );
}

const FILTERS: { value: string; text: string; keep: (r: Row) => boolean }[] = [
  { value: "", text: "Tất cả đơn vị", keep: () => true },
  { value: "missing", text: "Chưa nộp", keep: (r) => r.state === "missing" },
  { value: "submitted", text: "Đã nộp, chờ duyệt", keep: (r) => r.state === "submitted" },
  { value: "returned", text: "Bị trả lại", keep: (r) => r.state === "returned" },
  { value: "accepted", text: "Đã duyệt", keep: (r) => r.state === "accepted" },
  { value: "late", text: "Trễ hạn", keep: (r) => r.timeliness === "late" },
  { value: "branch", text: "Nhánh chưa nộp đủ", keep: (r) => r.subtree_state === "partial" || r.subtree_state === "none" },
];

function BoardView({ period, label }: { period: string; label: string }) {
  const [summary, setSummary] = useState<Pick<Board, "totals" | "rates" | "deadline"> | null>(null);
  const [filter, setFilter] = useState("");
  const [message, setMessage] = useState<Message | null>(null);
  const [extending, setExtending] = useState<Row | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const pages = usePages<Board, Row>(
    (cursor) => api.GET("/v1/periods/{period}/completeness", { params: { path: { period }, query: { limit: PAGE, cursor } } }),
    (body) => {
      setSummary({ totals: body.totals, rates: body.rates, deadline: body.deadline });
      return { items: body.rows, next: body.next };
    },
    [period],
  );

  async function remind(row: Row) {
    setBusy(row.unit_id);
    setMessage(await remindNow(row.unit_id, row.name, period));
    setBusy(null);
  }

  async function download() {
    setMessage(null);
    setBusy("workbook");
    try {
      const response = await authFetch(`/v1/periods/${encodeURIComponent(period)}/completeness/workbook`,
        { headers: { Accept: XLSX } });
      if (!response.ok) {
        const body = await response.json().catch(() => undefined);
        setMessage({ kind: "error", text: describe(asProblem(body, response)) });
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `tinh-hinh-nop-bao-cao-${period}.xlsx`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setMessage({ kind: "ok", text: `Đã tải bảng tổng hợp kỳ ${label}.` });
    } catch {
      setMessage({ kind: "error", text: "Không kết nối được máy chủ." });
    } finally {
      setBusy(null);
    }
  }

  const keep = FILTERS.find((f) => f.value === filter)?.keep ?? (() => true);
  const rows = pages.items?.filter(keep) ?? null;
  return (
    <>
      <h2>Tình hình nộp báo cáo</h2>
      {summary && <Summary totals={summary.totals} />}
      <div class="toolbar cycle-tools">
        <label for="cycle-filter">Lọc theo trạng thái</label>
        <select id="cycle-filter" value={filter} onChange={(e) => setFilter(e.currentTarget.value)}>
          {FILTERS.map((f) => <option key={f.value} value={f.value}>{f.text}</option>)}
        </select>
        <button type="button" class="button button--secondary" disabled={busy === "workbook"} onClick={() => void download()}>
          Tải bảng tổng hợp (Excel)
        </button>
      </div>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <p class="hint cycle-explain">
        <strong>Cách tính tình hình của cả nhánh:</strong> trạng thái của một đơn vị chỉ là báo cáo của chính
        đơn vị đó. Cột “Cả nhánh” xét riêng mọi đơn vị cấp dưới (mọi cấp) phải nộp: “{BRANCH_TEXT.complete}” khi tất cả
        đều có báo cáo hiện hành (đã nộp hoặc đã duyệt; báo cáo bị trả lại chưa tính cho đến khi nộp lại),
        “{BRANCH_TEXT.none}” khi chưa đơn vị nào có, “{BRANCH_TEXT.partial}” ở giữa. Vì vậy một đơn vị cấp trên
        chưa nộp báo cáo của mình vẫn có thể “{BRANCH_TEXT.complete}”.
      </p>
      {pages.error && <Notice kind="error">{pages.error}</Notice>}
      {!pages.items && !pages.error && <Loading />}
      {rows && filter && <p class="hint">Đang lọc trên {num(pages.items?.length)} đơn vị đã tải: {num(rows.length)} đơn vị phù hợp.</p>}
      {rows && rows.length === 0 && <p>Không có đơn vị nào phù hợp.</p>}
      {rows && rows.length > 0 && (
        <table class="rows cycle-board">
          <caption class="sr-only">Tình hình nộp báo cáo kỳ {label} theo đơn vị</caption>
          <thead>
            <tr><th scope="col">Đơn vị</th><th scope="col">Trạng thái</th><th scope="col">Đúng hạn / trễ hạn</th>
              <th scope="col">Nộp lúc</th><th scope="col">Cả nhánh</th><th scope="col"><span class="sr-only">Thao tác</span></th></tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.unit_id} class={`cycle-row cycle-depth-${Math.min(r.depth, 6)}`}>
                <th scope="row" data-label="Đơn vị">
                  <span class="cycle-unit">{r.name}</span>
                </th>
                <td data-label="Trạng thái">
                  {r.state ? <span class={`state state--${r.state}`}>{STATE_TEXT[r.state] ?? r.state}</span>
                    : <span class="note">Cấp tổng hợp, không nộp</span>}
                </td>
                <td data-label="Đúng hạn / trễ hạn" class={r.timeliness ? "" : "empty"}>{r.timeliness ? TIMELINESS_TEXT[r.timeliness] : "—"}</td>
                <td data-label="Nộp lúc" class={r.submitted_at ? "" : "empty"}>{r.submitted_at ? dateTime(r.submitted_at) : "—"}</td>
                <td data-label="Cả nhánh" class={r.subtree_state ? "" : "empty"}>
                  {r.subtree_state ? (
                    <>
                      <span class={`branch branch--${r.subtree_state}`}>{BRANCH_TEXT[r.subtree_state]}</span>
                      <span class="note">{num(r.subtree.complete)}/{num(r.subtree.expected)} đơn vị cấp dưới đã nộp</span>
                    </>
                  ) : "—"}
                </td>
                <td class="row-actions">
                  {r.expected && (
                    <a class="button button--small button--secondary" href={href("ky-bao-cao", period, r.unit_id)}
                       aria-label={`Xem báo cáo của ${r.name}`}>Xem báo cáo</a>
                  )}
                  {(r.state === "missing" || r.state === "returned") && (
                    <button type="button" class="button button--small button--secondary" disabled={busy === r.unit_id}
                            aria-label={`Nhắc nộp ngay ${r.name}`} onClick={() => void remind(r)}>Nhắc nộp ngay</button>
                  )}
                  {r.expected && r.state !== "accepted" && (
                    <button type="button" class="button button--small button--secondary"
                            aria-label={`Gia hạn cho ${r.name}`} onClick={() => setExtending(r)}>Gia hạn</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MoreButton list={pages} />
      <ExceptionDialog open={!!extending} onClose={() => setExtending(null)} unitId={extending?.unit_id ?? ""}
                       unitName={extending?.name ?? ""} period={period}
                       onGranted={(text) => setMessage({ kind: "ok", text })} />
    </>
  );
}

/** The period's counts, and the same as bars (an SVG with its own words for screen readers). */
function Summary({ totals }: { totals: Counts }) {
  const items = [
    { key: "complete", text: "Đã nộp", value: totals.complete },
    { key: "missing", text: "Chưa nộp", value: totals.missing + totals.returned },
    { key: "on_time", text: "Đúng hạn", value: totals.on_time },
    { key: "late", text: "Trễ hạn", value: totals.late },
  ];
  const scale = Math.max(totals.expected, 1);
  const described = items.map((i) => `${i.text} ${i.value}`).join(", ");
  return (
    <div class="cycle-summary">
      <ul class="cycle-stats">
        {items.map((i) => (
          <li key={i.key} class={`cycle-stat cycle-stat--${i.key}`}>
            <span class="cycle-stat__value">{num(i.value)}</span> <span class="cycle-stat__text">{i.text.toLowerCase()}</span>
          </li>
        ))}
      </ul>
      <figure class="cycle-bars">
        <svg viewBox="0 0 320 112" role="img" aria-label={`${described} trên ${totals.expected} đơn vị phải nộp`}>
          {items.map((i, n) => (
            <g key={i.key} transform={`translate(0 ${n * 28})`}>
              <text x="0" y="16" class="cycle-bars__label">{i.text}</text>
              <rect x="80" y="4" width="200" height="16" class="cycle-bars__track" />
              <rect x="80" y="4" width={Math.round((200 * i.value) / scale)} height="16"
                    class={`cycle-bars__bar cycle-bars__bar--${i.key}`} />
              <text x="286" y="16" class="cycle-bars__label">{i.value}</text>
            </g>
          ))}
        </svg>
        <figcaption>
          Trên {num(totals.expected)} đơn vị phải nộp; bị trả lại: {num(totals.returned)} (tính là chưa nộp);
          đã duyệt: {num(totals.accepted)}.
        </figcaption>
      </figure>
    </div>
  );
}

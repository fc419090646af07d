import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe } from "../api/client";
import type { components } from "../api/schema";
import { dateTime, num, periodLabel } from "../lib/format";
import { href } from "../lib/router";
import { Heading, Loading, Notice, STATE_TEXT } from "../ui";
import { Chart } from "./Chart";

type Report = components["schemas"]["Report"];
type Indicator = components["schemas"]["Indicator"];

function monthsBack(n: number): [string, string] {
  const now = new Date();
  const idx = now.getFullYear() * 12 + now.getMonth();
  const code = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
  return [code(idx - n + 1), code(idx)];
}

export default function History({ unitId }: { unitId: string }) {
  const [reports, setReports] = useState<Report[] | null>(null);
  const [indicators, setIndicators] = useState<Indicator[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string>("");
  const [span, setSpan] = useState(24);

  useEffect(() => {
    const [from, to] = monthsBack(span);
    setReports(null);
    Promise.all([
      api.GET("/v1/indicators"),
      api.GET("/v1/units/{unit_id}/reports", { params: { path: { unit_id: unitId }, query: { from, to, limit: 100 } } }),
    ]).then(([cat, list]) => {
      if (cat.data) {
        setIndicators(cat.data.indicators);
        setChosen((c) => c || cat.data!.indicators.find((i) => i.main)?.code || cat.data!.indicators[0]?.code || "");
      }
      if (list.data) setReports([...list.data.items].sort((a, b) => b.period.localeCompare(a.period)));
      else setError(describe(asProblem(list.error, list.response)));
    }, () => setError("Không kết nối được máy chủ. Kiểm tra kết nối mạng."));
  }, [unitId, span]);

  const ind = indicators.find((i) => i.code === chosen);
  const points = (reports ?? []).slice().reverse().map((r) => ({ period: r.period, value: r.values[chosen] ?? null }));

  return (
    <section>
      <Heading>Lịch sử báo cáo</Heading>
      <div class="toolbar">
        <label for="span">Khoảng thời gian</label>
        <select id="span" value={String(span)} onChange={(e) => setSpan(Number(e.currentTarget.value))}>
          <option value="6">6 tháng gần nhất</option>
          <option value="12">12 tháng gần nhất</option>
          <option value="24">24 tháng gần nhất</option>
          <option value="72">6 năm gần nhất</option>
        </select>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {!reports && !error && <Loading />}
      {reports && reports.length === 0 && <p>Chưa có báo cáo nào trong khoảng thời gian này.</p>}
      {reports && reports.length > 0 && (
        <>
          <h2>Biểu đồ theo kỳ</h2>
          <div class="toolbar">
            <label for="indicator">Chỉ tiêu</label>
            <select id="indicator" value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
              {indicators.map((i) => <option key={i.code} value={i.code}>{i.label}</option>)}
            </select>
          </div>
          {ind && <Chart title={ind.label} unit={ind.unit} points={points} />}
          <h2>Các báo cáo</h2>
          <table class="rows">
            <thead><tr><th scope="col">Kỳ</th><th scope="col">Phiên bản</th><th scope="col">Gửi lúc</th><th scope="col">Trạng thái</th><th scope="col"><span class="sr-only">Thao tác</span></th></tr></thead>
            <tbody>
              {reports.map((r) => <ReportRow key={r.period} unitId={unitId} report={r} indicators={indicators} />)}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function ReportRow({ unitId, report, indicators }: { unitId: string; report: Report; indicators: Indicator[] }) {
  const [open, setOpen] = useState(false);
  const [revisions, setRevisions] = useState<Report[] | null>(null);
  const toggle = () => {
    setOpen(!open);
    if (!revisions) {
      api.GET("/v1/units/{unit_id}/reports/{period}/revisions", { params: { path: { unit_id: unitId, period: report.period } } })
        .then(({ data }) => setRevisions(data ? [...data.items].sort((a, b) => b.version - a.version) : []), () => setRevisions([]));
    }
  };
  return (
    <>
      <tr>
        <th scope="row" data-label="Kỳ">{periodLabel(report.period)}</th>
        <td data-label="Phiên bản">{report.version}</td>
        <td data-label="Gửi lúc">{dateTime(report.submitted_at)}{report.timeliness === "late" ? " (nộp muộn)" : ""}</td>
        <td data-label="Trạng thái"><span class={`state state--${report.status}`}>{STATE_TEXT[report.status]}</span>
          {report.review?.note && <span class="note">{report.review.note}</span>}</td>
        <td class="row-actions">
          <button type="button" class="button button--small button--secondary" aria-expanded={open} onClick={toggle}>
            {open ? "Ẩn các phiên bản" : "Xem các phiên bản"}
          </button>
          <a class="button button--small button--secondary" href={href("bao-cao", unitId, report.period)}>Mở báo cáo</a>
        </td>
      </tr>
      {open && (
        <tr class="revisions">
          <td colSpan={5}>
            {!revisions ? <Loading /> : (
              <div class="scroll" tabIndex={0} role="region" aria-label={`Các phiên bản báo cáo ${periodLabel(report.period)}`}>
                <table class="grid">
                  <thead><tr><th scope="col">Chỉ tiêu</th>{revisions.map((r) => <th scope="col" key={r.version}>Phiên bản {r.version}<br /><small>{dateTime(r.submitted_at)}</small></th>)}</tr></thead>
                  <tbody>
                    {indicators.filter((i) => revisions.some((r) => r.values[i.code] != null)).map((i) => (
                      <tr key={i.code}><th scope="row">{i.label}</th>{revisions.map((r) => <td class="num" key={r.version}>{num(r.values[i.code])}</td>)}</tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

/**
 * Xu hướng (admins and leaders): one indicator across a range of periods for the whole tree or a
 * subtree (GET /v1/trends), as a column chart with the numbers behind it one click away, and the
 * units that moved most. The choice lives in the address (#/xu-huong?chi-tieu=&don-vi=&tu=&den=),
 * so a link shows the same trend to whoever opens it.
 */
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors } from "../../api/client";
import type { Problem } from "../../api/types";
import type { components } from "../../api/schema";
import { PeriodSelect, usePeriods } from "../../components/PeriodSelect";
import { UnitChoice, type UnitLike } from "../../components/units";
import { num, periodLabel } from "../../lib/format";
import { go, href } from "../../lib/router";
import { Field, Heading, Loading, Notice, useWho } from "../../ui";
import { ColumnChart, useWidth } from "../Chart";
import "./trends.css";

type Trend = components["schemas"]["Trends"];
type Mover = components["schemas"]["TrendMover"];
type Indicator = components["schemas"]["Indicator"];

const OFFERED = 36;  // periods in the pickers: the API's longest range
const DEFAULT_SPAN = 6;

let unitsRead: Promise<UnitLike[]> | null = null;

/** Every unit (id, name, parent) once per page load: GET /v1/trends/units, which leaders may read. */
function useTrendUnits(): { units: UnitLike[] | null; error: string | null } {
  const [units, setUnits] = useState<UnitLike[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!unitsRead) {
      unitsRead = api.GET("/v1/trends/units").then(({ data, error: e, response }) => {
        if (!data) throw new Error(describe(asProblem(e, response)));
        return data.items;
      });
      unitsRead.catch(() => (unitsRead = null));
    }
    let live = true;
    unitsRead.then((u) => live && setUnits(u), (e: Error) => live && setError(e.message || "Không tải được danh sách đơn vị."));
    return () => {
      live = false;
    };
  }, []);
  return { units, error };
}

const percentFmt = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1, signDisplay: "exceptZero" });

function signed(n: number): string {
  return n > 0 ? `+${num(n)}` : n < 0 ? `−${num(-n)}` : "0";
}

function percent(p: number | null | undefined): string {
  return p == null ? "—" : `${percentFmt.format(p).replace("-", "−")}%`;
}

export default function Trends({ query }: { query: URLSearchParams }) {
  const who = useWho();
  const { periods, error: periodsError } = usePeriods("month", OFFERED);
  const { units, error: unitsError } = useTrendUnits();
  const [indicators, setIndicators] = useState<Indicator[] | null>(null);
  const [trend, setTrend] = useState<Trend | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [showNumbers, setShowNumbers] = useState(false);

  useEffect(() => {
    api.GET("/v1/indicators").then(({ data, error, response }) => {
      if (data) setIndicators(data.indicators);
      else setProblem(asProblem(error, response));
    }, () => setProblem(asProblem(undefined)));
  }, []);

  // The choice: from the address, else the first main indicator, the whole tree, the last 6 months.
  const indicator = query.get("chi-tieu") || indicators?.find((i) => i.main)?.code || indicators?.[0]?.code || "";
  const unitId = query.get("don-vi") ?? "";
  const to = query.get("den") || periods?.[0]?.period || "";
  const from = query.get("tu") || periods?.[Math.min(DEFAULT_SPAN, periods.length) - 1]?.period || "";

  const choose = (change: Partial<Record<"chi-tieu" | "don-vi" | "tu" | "den", string>>) => {
    const next = { "chi-tieu": indicator, "don-vi": unitId, tu: from, den: to, ...change };
    const q = new URLSearchParams(Object.entries(next).filter(([, v]) => v));
    go(`#/xu-huong?${q.toString()}`);
  };

  useEffect(() => {
    if (!indicator || !from || !to) return;
    let live = true;
    setProblem(null);
    setTrend(null);
    api.GET("/v1/trends", { params: { query: { indicator, unit: unitId || undefined, from, to } } }).then(({ data, error, response }) => {
      if (!live) return;
      if (data) setTrend(data);
      else setProblem(asProblem(error, response));
    }, () => live && setProblem(asProblem(undefined)));
    return () => {
      live = false;
    };
  }, [indicator, unitId, from, to]);

  const errors = fieldErrors(problem);
  const ind = indicators?.find((i) => i.code === indicator);

  return (
    <section class="trends">
      <Heading>Xu hướng</Heading>
      <p class="hint">Tổng một chỉ tiêu qua các kỳ, trên các báo cáo đã nộp hoặc đã duyệt của đơn vị và mọi đơn vị cấp dưới (báo cáo bị trả lại không tính). Đường dẫn của trang giữ lựa chọn này để gửi cho người khác.</p>
      <div class="trends__choice">
        <Field id="trend-indicator" label="Chỉ tiêu" error={errors.indicator}>
          {(describedBy) => (
            <select id="trend-indicator" value={indicator} disabled={!indicators} aria-describedby={describedBy}
                    onChange={(e) => choose({ "chi-tieu": e.currentTarget.value })}>
              {!indicators && <option value={indicator}>Đang tải…</option>}
              {indicators?.map((i) => <option key={i.code} value={i.code}>{i.label}</option>)}
            </select>
          )}
        </Field>
        <Field id="trend-unit" label="Đơn vị">
          {(describedBy) => (
            <UnitChoice id="trend-unit" value={unitId} empty="Toàn Bộ" units={units} error={unitsError} describedBy={describedBy}
                        onChange={(v) => choose({ "don-vi": v })} />
          )}
        </Field>
        <Field id="trend-from" label="Từ kỳ" error={errors.from}>
          {() => <PeriodSelect id="trend-from" value={from} count={OFFERED} onChange={(v) => choose({ tu: v })} />}
        </Field>
        <Field id="trend-to" label="Đến kỳ" error={errors.to}>
          {() => <PeriodSelect id="trend-to" value={to} count={OFFERED} onChange={(v) => choose({ den: v })} />}
        </Field>
      </div>

      {problem && <Notice kind="error">{describe(problem)}</Notice>}
      {!trend && !problem && !periodsError && <Loading />}
      {trend && (
        <>
          <TrendChart trend={trend} unitLabel={ind?.unit ?? trend.indicator.unit} />
          <button type="button" class="button button--secondary" aria-expanded={showNumbers} aria-controls="trend-numbers"
                  onClick={() => setShowNumbers(!showNumbers)}>
            {showNumbers ? "Ẩn số liệu" : "Xem số liệu"}
          </button>
          <div id="trend-numbers" hidden={!showNumbers}>
            {showNumbers && <Numbers trend={trend} />}
          </div>
          <Movers trend={trend} admin={who.role === "admin"} />
        </>
      )}
    </section>
  );
}

function TrendChart({ trend, unitLabel }: { trend: Trend; unitLabel: string }) {
  const [box, width] = useWidth<HTMLElement>();
  const points = trend.points.map((p) => ({ period: p.period, value: p.total ?? null }));
  const said = trend.points.map((p) => `${p.label}: ${p.total == null ? "chưa có số liệu" : num(p.total)}`).join("; ");
  const label = `Biểu đồ cột: ${trend.indicator.label} (${unitLabel}) của ${trend.unit_name}, từ ${firstLabel(trend)} `
    + `đến ${lastLabel(trend)}. ${said}.`;
  return (
    <figure class="chart trends__chart" ref={box}>
      <ColumnChart label={label} unit={unitLabel} points={points} width={width} />
      <figcaption>{trend.indicator.label} ({unitLabel}), {trend.unit_name}: tổng theo kỳ</figcaption>
    </figure>
  );
}

function Numbers({ trend }: { trend: Trend }) {
  const unit = trend.indicator.unit;
  return (
    <>
      <h2 id="trend-numbers-title">Số liệu theo kỳ</h2>
      <p class="hint">{trend.indicator.label} ({unit}), {trend.unit_name}: {num(trend.units_expected)} đơn vị phải nộp báo cáo.</p>
      <div class="scroll" role="region" aria-labelledby="trend-numbers-title" tabIndex={0}>
        <table class="trends__numbers" aria-labelledby="trend-numbers-title">
          <thead>
            <tr><th scope="col">Kỳ</th><th scope="col" class="num">Tổng ({unit})</th><th scope="col" class="num">Đã nộp</th><th scope="col" class="num">Có số liệu</th></tr>
          </thead>
          <tbody>
            {trend.points.map((p) => (
              <tr key={p.period}>
                <th scope="row">{p.label}</th>
                <td class="num">{num(p.total)}</td>
                <td class="num">{num(p.units_reported)}/{num(trend.units_expected)}</td>
                <td class="num">{num(p.units_with_value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function firstLabel(trend: Trend): string {
  return trend.points[0]?.label ?? periodLabel(trend.from);
}

function lastLabel(trend: Trend): string {
  return trend.points[trend.points.length - 1]?.label ?? periodLabel(trend.to);
}

function Movers({ trend, admin }: { trend: Trend; admin: boolean }) {
  const scope = trend.unit_id ? `các đơn vị cấp dưới trực tiếp của ${trend.unit_name}` : "các đơn vị ngay dưới cấp Bộ";
  return (
    <section class="trends__movers" aria-labelledby="movers-heading">
      <h2 id="movers-heading">Đơn vị thay đổi nhiều nhất</h2>
      {trend.from === trend.to ? (
        <p>Hãy chọn hai kỳ khác nhau để so sánh.</p>
      ) : trend.movers_compared === 0 ? (
        <p>{trend.unit_name} không có đơn vị cấp dưới để so sánh.</p>
      ) : (
        <>
          <p class="hint">{lastLabel(trend)} so với {firstLabel(trend)}, {scope}; mỗi đơn vị tính cả các đơn vị cấp dưới của nó. Chỉ so sánh đơn vị có số liệu ở cả hai kỳ.</p>
          <MoverTable title="Tăng nhiều nhất" none="Không có đơn vị nào tăng." movers={trend.rising} trend={trend} admin={admin} />
          <MoverTable title="Giảm nhiều nhất" none="Không có đơn vị nào giảm." movers={trend.falling} trend={trend} admin={admin} />
        </>
      )}
    </section>
  );
}

function MoverTable({ title, none, movers, trend, admin }: { title: string; none: string; movers: Mover[]; trend: Trend; admin: boolean }) {
  const first = firstLabel(trend), last = lastLabel(trend);
  return (
    <>
      <h3>{title}</h3>
      {movers.length === 0 ? <p>{none}</p> : (
        <table class="rows trends__mover-table">
          <thead>
            <tr><th scope="col">Đơn vị</th><th scope="col" class="num">{first}</th><th scope="col" class="num">{last}</th><th scope="col" class="num">Thay đổi</th><th scope="col" class="num">Tỷ lệ thay đổi</th></tr>
          </thead>
          <tbody>
            {movers.map((m) => (
              <tr key={m.unit_id}>
                <th scope="row" data-label="Đơn vị">
                  {admin ? <a href={href("ky-bao-cao", trend.to, m.unit_id)} title={`Xem báo cáo ${last} của ${m.name}`}>{m.name}</a> : m.name}
                </th>
                <td class="num" data-label={first}>{num(m.first)}</td>
                <td class="num" data-label={last}>{num(m.last)}</td>
                <td class="num" data-label="Thay đổi">{signed(m.change)}</td>
                <td class="num" data-label="Tỷ lệ thay đổi">{percent(m.change_percent)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe } from "../api/client";
import type { components } from "../api/schema";

type UnitPeriods = components["schemas"]["UnitPeriods"];
type PeriodRow = components["schemas"]["PeriodState"];
import { countdown, date, periodLabel } from "../lib/format";
import { onOutcome, pending, type Outgoing } from "../lib/outbox";
import { href } from "../lib/router";
import { Heading, Loading, Notice, STATE_TEXT, useWho } from "../ui";
import { SigningRequests } from "./documents/SigningRequests";

export function Home({ notice }: { notice: string | null }) {
  const who = useWho();
  // Staff may belong to a unit (a leader of a department) yet do the office's or leaders' work.
  if (who.role !== "unit" || !who.unitId) return <StaffHome notice={notice} />;
  return <UnitHome unitId={who.unitId} unitName={who.unitName ?? who.unitId} notice={notice} />;
}

/** The office's and leaders' home: their jobs, a sentence each. */
function StaffHome({ notice }: { notice: string | null }) {
  const who = useWho();
  const jobs: [string, string, string][] = who.role === "admin" ? [
    ["#/ky-bao-cao", "Kỳ báo cáo", "Tình hình nộp báo cáo của các đơn vị; xem, duyệt, trả lại báo cáo; gia hạn, nhắc nộp, đặt hạn nộp."],
    ["#/hoi-nghi", "Hội nghị và xét khen thưởng", "Tạo hội nghị, chỉ tiêu khen thưởng; xét duyệt đề nghị; tổng hợp và gửi văn bản."],
    ["#/xu-huong", "Xu hướng", "Từng chỉ tiêu qua các kỳ, toàn Bộ hoặc một nhánh đơn vị; đơn vị thay đổi nhiều nhất."],
    ["#/so-khen-thuong", "Sổ khen thưởng", "Ai đã được khen thưởng hình thức nào, khi nào; tìm, xuất Excel, nhập các năm trước từ tệp."],
    ["#/don-vi", "Đơn vị", "Cây đơn vị: thêm, đổi tên, chuyển đơn vị cấp trên, thư điện tử liên hệ."],
    ["#/tai-khoan", "Tài khoản", "Mời người dùng, vô hiệu hóa, gửi lại lời mời."],
    ["#/ma-truy-cap", "Mã truy cập", "Mã cho hệ thống của đơn vị gửi báo cáo qua API: cấp, xem, thu hồi."],
  ] : [
    ["#/cham-diem", "Chấm điểm", "Chấm điểm các đề nghị khen thưởng theo tiêu chí."],
    ["#/xu-huong", "Xu hướng", "Từng chỉ tiêu qua các kỳ, toàn Bộ hoặc một nhánh đơn vị."],
    ["#/so-khen-thuong", "Sổ khen thưởng", "Ai đã được khen thưởng hình thức nào, khi nào; tìm và xuất Excel."],
  ];
  return (
    <section>
      <Heading>{who.role === "admin" ? "Văn phòng thi đua, khen thưởng" : "Lãnh đạo"}</Heading>
      {notice && <Notice kind="ok">{notice}</Notice>}
      <SigningRequests />
      <ul class="cards">
        {jobs.map(([to, title, text]) => (
          <li key={to} class="card"><h2 class="card__title"><a href={to}>{title}</a></h2><p>{text}</p></li>
        ))}
      </ul>
    </section>
  );
}

function UnitHome({ unitId, unitName, notice }: { unitId: string; unitName: string; notice: string | null }) {
  const [data, setData] = useState<UnitPeriods | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [queued, setQueued] = useState<Outgoing[]>([]);
  const [, tick] = useState(0);

  useEffect(() => {
    api.GET("/v1/units/{unit_id}/periods", { params: { path: { unit_id: unitId }, query: { kind: "month" } } }).then(
      ({ data: d, error: e, response }) => (d ? setData(d) : setError(describe(asProblem(e, response)))),
      () => setError("Không kết nối được máy chủ và chưa có bản lưu trên máy. Kiểm tra kết nối mạng."),
    );
    const refreshQueue = () => void pending().then((items) => setQueued(items.filter((i) => i.unit_id === unitId)));
    refreshQueue();
    const off = onOutcome(refreshQueue);
    const timer = setInterval(() => tick((n) => n + 1), 60_000); // the countdowns move
    return () => {
      off();
      clearInterval(timer);
    };
  }, [unitId]);

  return (
    <section>
      <Heading>{data?.name ?? unitName}</Heading>
      {notice && <Notice kind="ok">{notice}</Notice>}
      {queued.length > 0 && (
        <Notice kind="warn">
          Đang chờ gửi: {queued.map((q) => periodLabel(q.period)).join(", ")}. Bài sẽ tự gửi khi có kết nối mạng.
        </Notice>
      )}
      <SigningRequests />
      <h2>Các kỳ báo cáo</h2>
      {error && <Notice kind="error">{error}</Notice>}
      {!data && !error && <Loading />}
      {data && <PeriodTable unitId={unitId} rows={data.items} queued={queued} />}
      {data && data.sub_units.length > 0 && <SubUnits data={data} />}
      <p class="links">
        <a href={href("lich-su", unitId)}>Xem lịch sử báo cáo và biểu đồ</a>
        {" · "}
        <a href={href("de-nghi", unitId)}>Đề nghị khen thưởng</a>
        {" · "}
        <a href="#/so-khen-thuong">Sổ khen thưởng</a>
      </p>
    </section>
  );
}

function PeriodTable({ unitId, rows, queued }: { unitId: string; rows: PeriodRow[]; queued: Outgoing[] }) {
  return (
    <table class="rows">
      <caption class="sr-only">Các kỳ báo cáo của đơn vị, mới nhất trước</caption>
      <thead>
        <tr><th scope="col">Kỳ</th><th scope="col">Hạn nộp</th><th scope="col">Trạng thái</th><th scope="col">Việc cần làm</th><th scope="col"><span class="sr-only">Thao tác</span></th></tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const left = countdown(row.deadline);
          const waiting = queued.some((q) => q.period === row.period);
          return (
            <tr key={row.period}>
              <th scope="row" data-label="Kỳ">{periodLabel(row.period)}</th>
              <td data-label="Hạn nộp">
                {date(row.deadline)}
                {!row.locked && left.text && (
                  <span class={`countdown${left.overdue ? " countdown--over" : left.soon ? " countdown--soon" : ""}`}> ({left.text})</span>
                )}
              </td>
              <td data-label="Trạng thái">
                <span class={`state state--${row.state}`}>{STATE_TEXT[row.state] ?? row.state}</span>
                {waiting && <span class="state state--queued">Đang chờ gửi</span>}
                {row.locked && <span class="lock">Đã khóa{row.lock_reason ? `: ${row.lock_reason}` : ""}</span>}
                {row.return_note && <span class="note">Ghi chú của văn phòng: {row.return_note}</span>}
              </td>
              <td data-label="Việc cần làm">{row.next_step}</td>
              <td class="row-actions">
                {!row.locked && (
                  <a class="button button--small" href={href("bao-cao", unitId, row.period)}>
                    {row.state === "missing" ? "Nộp báo cáo" : "Sửa báo cáo"}
                  </a>
                )}
                {!row.locked && (
                  <a class="button button--small button--secondary" href={href("nhap-tu-tep", unitId, row.period)}>Nhập từ tệp</a>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function SubUnits({ data }: { data: UnitPeriods }) {
  const periods = data.items.map((r) => r.period);
  return (
    <>
      <h2>Đơn vị cấp dưới</h2>
      <div class="scroll" tabIndex={0} role="region" aria-label="Tình hình nộp báo cáo của đơn vị cấp dưới">
        <table class="grid">
          <thead>
            <tr><th scope="col">Đơn vị</th>{periods.map((p) => <th scope="col" key={p}>{periodLabel(p)}</th>)}</tr>
          </thead>
          <tbody>
            {data.sub_units.map((u) => (
              <tr key={u.unit_id}>
                <th scope="row">{u.name}</th>
                {periods.map((p) => {
                  const s = u.periods.find((x) => x.period === p)?.state ?? "missing";
                  return (
                    <td key={p}>
                      <a class={`state state--${s}`} href={href("bao-cao", u.unit_id, p)}
                         aria-label={`${u.name}, ${periodLabel(p)}: ${STATE_TEXT[s]}`}>{STATE_TEXT[s]}</a>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

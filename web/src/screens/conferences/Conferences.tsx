/** Hội nghị: every conference (paged), its state and nomination deadline, and the way to its shortlist and its form. */
import { MoreButton } from "../../components/MoreButton";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { usePages } from "../../components/pages";
import { countdown, date, dateTime } from "../../lib/format";
import { Heading, Loading, Notice } from "../../ui";
import "./conferences.css";

export type ConferenceRecord = components["schemas"]["Conference"];

/** Where a conference stands for the office: taking nominations, past its deadline, or its list finalised. */
export function conferenceState(c: ConferenceRecord, now = Date.now()): { text: string; css: string } {
  if (c.finalised_at) return { text: "Đã chốt danh sách", css: "accepted" };
  if (c.nomination_deadline && Date.parse(c.nomination_deadline) < now) return { text: "Hết hạn gửi đề nghị", css: "queued" };
  return { text: "Đang nhận đề nghị", css: "submitted" };
}

export default function Conferences(_props: Record<string, never>) {
  const list = usePages(
    (cursor) => api.GET("/v1/conferences", { params: { query: { limit: 50, cursor } } }),
    (body) => ({ items: body.items, next: body.next ?? null }), []);

  return (
    <section class="conferences">
      <Heading>Hội nghị</Heading>
      <p class="lead">Hội nghị thi đua, khen thưởng: kỳ báo cáo, chỉ tiêu, hạn gửi đề nghị, văn bản tổng hợp.</p>
      <div class="actions"><a class="button" href="#/hoi-nghi/moi">Tạo hội nghị</a></div>
      {list.error && <Notice kind="error">{list.error}</Notice>}
      {!list.items && !list.error && <Loading />}
      {list.items && list.items.length === 0 && <p>Chưa có hội nghị nào. Bấm “Tạo hội nghị” để bắt đầu.</p>}
      {list.items && list.items.length > 0 && (
        <table class="rows conference-list">
          <caption class="sr-only">Danh sách hội nghị</caption>
          <thead>
            <tr>
              <th scope="col">Tên hội nghị</th><th scope="col">Ngày họp</th><th scope="col">Trạng thái</th>
              <th scope="col">Hạn gửi đề nghị</th><th scope="col"><span class="sr-only">Thao tác</span></th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((c) => {
              const state = conferenceState(c);
              const left = c.nomination_deadline && !c.finalised_at ? countdown(c.nomination_deadline) : null;
              return (
                <tr key={c.id}>
                  <th scope="row" data-label="Tên hội nghị">{c.title}<span class="note">{c.place}</span></th>
                  <td data-label="Ngày họp">{date(c.date)}</td>
                  <td data-label="Trạng thái"><span class={`state state--${state.css}`}>{state.text}</span></td>
                  <td data-label="Hạn gửi đề nghị">
                    {c.nomination_deadline ? dateTime(c.nomination_deadline) : "Không đặt hạn"}
                    {left && <span class={`note countdown${left.overdue ? " countdown--over" : left.soon ? " countdown--soon" : ""}`}>{left.text}</span>}
                  </td>
                  <td class="row-actions">
                    <a class="button button--small" href={`#/xet-khen/${encodeURIComponent(c.id)}`}>
                      Xét khen thưởng<span class="sr-only"> hội nghị {c.title}</span>
                    </a>
                    <a class="button button--small button--secondary" href={`#/hoi-nghi/${encodeURIComponent(c.id)}`}>
                      Sửa<span class="sr-only"> hội nghị {c.title}</span>
                    </a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <MoreButton list={list} />
    </section>
  );
}

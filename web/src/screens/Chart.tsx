/**
 * One indicator across periods as a plain SVG column chart (no library: ~2 KB, drawn with SVG
 * attributes only, so the CSP needs no inline style), with the same figures as a table.
 */
import { num, periodLabel } from "../lib/format";

export interface Point { period: string; value: number | null }

export function Chart({ title, unit, points }: { title: string; unit: string; points: Point[] }) {
  const W = 640, H = 260, left = 64, right = 12, top = 16, bottom = 44;
  const max = Math.max(1, ...points.map((p) => p.value ?? 0));
  const step = niceStep(max / 4);
  const top_ = Math.ceil(max / step) * step;
  const innerW = W - left - right, innerH = H - top - bottom;
  const band = innerW / Math.max(1, points.length);
  const bar = Math.min(48, band * 0.6);
  const y = (v: number) => top + innerH - (v / top_) * innerH;
  const ticks = Array.from({ length: Math.round(top_ / step) + 1 }, (_, i) => i * step);
  const summary = points.filter((p) => p.value != null).map((p) => `${periodLabel(p.period)}: ${num(p.value)}`).join("; ");
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title} (${unit}) theo kỳ. ${summary}`}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={left} x2={W - right} y1={y(t)} y2={y(t)} class="chart__grid" />
            <text x={left - 6} y={y(t) + 4} text-anchor="end" class="chart__tick">{compact(t)}</text>
          </g>
        ))}
        {points.map((p, i) => {
          const cx = left + band * i + band / 2;
          return (
            <g key={p.period}>
              {p.value != null && (
                <rect x={cx - bar / 2} y={y(p.value)} width={bar} height={Math.max(0, top + innerH - y(p.value))} class="chart__bar">
                  <title>{`${periodLabel(p.period)}: ${num(p.value)} ${unit}`}</title>
                </rect>
              )}
              {p.value == null && <text x={cx} y={top + innerH - 4} text-anchor="middle" class="chart__tick">—</text>}
              <text x={cx} y={H - bottom + 18} text-anchor="middle" class="chart__tick">{shortPeriod(p.period)}</text>
            </g>
          );
        })}
        <line x1={left} x2={W - right} y1={top + innerH} y2={top + innerH} class="chart__axis" />
      </svg>
      <figcaption>{title} ({unit})</figcaption>
      <details>
        <summary>Xem dạng bảng</summary>
        <table class="grid">
          <thead><tr><th scope="col">Kỳ</th><th scope="col">{title} ({unit})</th></tr></thead>
          <tbody>
            {points.map((p) => <tr key={p.period}><th scope="row">{periodLabel(p.period)}</th><td class="num">{num(p.value)}</td></tr>)}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

function niceStep(raw: number): number {
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const n = raw / pow;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * pow;
}

/** 15.000 → "15 N", 2.500.000 → "2,5 Tr", as Vietnamese charts abbreviate (nghìn, triệu, tỷ). */
function compact(v: number): string {
  const f = (x: number) => new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 }).format(x);
  if (v >= 1e9) return `${f(v / 1e9)} tỷ`;
  if (v >= 1e6) return `${f(v / 1e6)} tr`;
  if (v >= 1e4) return `${f(v / 1e3)} N`;
  return num(v);
}

function shortPeriod(code: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(code);
  return m ? `${m[2]}/${m[1].slice(2)}` : code;
}

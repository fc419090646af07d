/**
 * One indicator across periods as a plain SVG column chart (no library: ~2 KB, drawn with SVG
 * attributes only, so the CSP needs no inline style), with the same figures as a table.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { num, periodLabel } from "../lib/format";

export interface Point { period: string; value: number | null }

export function Chart({ title, unit, points }: { title: string; unit: string; points: Point[] }) {
  const [box, width] = useWidth<HTMLElement>();
  const summary = points.filter((p) => p.value != null).map((p) => `${periodLabel(p.period)}: ${num(p.value)}`).join("; ");
  return (
    <figure class="chart" ref={box}>
      <ColumnChart label={`${title} (${unit}) theo kỳ. ${summary}`} unit={unit} points={points} width={width} />
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

/** An element's width in CSS pixels, kept up to date (undefined until measured): what a chart draws at. */
export function useWidth<E extends HTMLElement>(): [{ current: E | null }, number | undefined] {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState<number | undefined>(undefined);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.round(el.clientWidth) || undefined);
    measure();
    const watch = new ResizeObserver(measure);
    watch.observe(el);
    return () => watch.disconnect();
  }, []);
  return [ref, width];
}

/**
 * The SVG alone: `label` is its accessible name (role="img"). `width` is the drawing's width in
 * CSS pixels (the figure's measured width, so 12px text stays 12px on a phone); without it the
 * drawing is 640 wide and scales. Axis ticks in Vietnamese numbers (15.000); period labels thin
 * out when they would overlap.
 */
export function ColumnChart({ label, unit, points, width = 640 }: { label: string; unit: string; points: Point[]; width?: number }) {
  const W = Math.max(280, width), H = W < 480 ? 220 : 260, right = 12, top = 16, bottom = 44;
  const max = Math.max(1, ...points.map((p) => p.value ?? 0));
  const step = niceStep(max / 4);
  const top_ = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(top_ / step) + 1 }, (_, i) => i * step);
  const left = 14 + 7 * Math.max(...ticks.map((t) => num(t).length));  // room for the longest tick label
  const innerW = W - left - right, innerH = H - top - bottom;
  const band = innerW / Math.max(1, points.length);
  const bar = Math.min(48, band * 0.6);
  const labels = points.map((p) => shortPeriod(p.period));
  const every = Math.max(1, Math.ceil((8 + 7 * Math.max(0, ...labels.map((l) => l.length))) / band));  // ~7px a character
  const y = (v: number) => top + innerH - (v / top_) * innerH;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={left} x2={W - right} y1={y(t)} y2={y(t)} class="chart__grid" />
          <text x={left - 6} y={y(t) + 4} text-anchor="end" class="chart__tick">{num(t)}</text>
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
            {(points.length - 1 - i) % every === 0 && (
              <text x={cx} y={H - bottom + 18} text-anchor="middle" class="chart__tick">{labels[i]}</text>
            )}
          </g>
        );
      })}
      <line x1={left} x2={W - right} y1={top + innerH} y2={top + innerH} class="chart__axis" />
    </svg>
  );
}

function niceStep(raw: number): number {
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const n = raw / pow;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * pow;
}

/** "08/21" for a month, "Tuần 5/21" for a week, "Quý 3/21" for a quarter. */
function shortPeriod(code: string): string {
  const m = /^(\d{4})-(\d{2}|W\d{2}|Q\d)$/.exec(code);
  if (!m) return code;
  const yy = m[1].slice(2);
  if (m[2].startsWith("W")) return `Tuần ${Number(m[2].slice(1))}/${yy}`;
  if (m[2].startsWith("Q")) return `Quý ${m[2].slice(1)}/${yy}`;
  return `${m[2]}/${yy}`;
}

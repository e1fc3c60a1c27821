/** Minimal inline-SVG line charts for the report: no library, no network, one string each. */

export interface Line {
  name: string;
  color: string;
  points: Array<[number, number]>;
  dashed?: boolean;
  /** Draw as steps (a count that holds until the next change). */
  step?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  lines: Line[];
  width?: number;
  height?: number;
  /** Horizontal reference lines, e.g. the PG's limit. */
  marks?: Array<{ y: number; label: string }>;
  xMax?: number;
  yMax?: number;
}

export const PALETTE: Record<string, string> = {
  temporal: '#1f5bd8',
  'temporal-direct': '#5fa8e8',
  bullmq: '#d8431f',
  'redis-list': '#2c9c48',
  'redis-list-reliable': '#8a5cc2',
  'redis-stream': '#c29b0c',
  'semaphore-only': '#6b6b6b',
  ideal: '#111111',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v)!;
}

/** At most `max` points, keeping each bucket's highest value (peaks matter for in-flight counts). */
export function thin(points: Array<[number, number]>, max = 600): Array<[number, number]> {
  if (points.length <= max) return points;
  const step = Math.ceil(points.length / max);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < points.length; i += step) {
    const bucket = points.slice(i, i + step);
    out.push(bucket.reduce((a, b) => (b[1] > a[1] ? b : a)));
  }
  return out;
}

export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 300;
  const m = { l: 52, r: 12, t: 28, b: 40 };
  const all = o.lines.flatMap((l) => l.points);
  const xMax = o.xMax ?? niceMax(Math.max(1, ...all.map((p) => p[0])));
  const yMax = niceMax(o.yMax ?? Math.max(1, ...all.map((p) => p[1]), ...(o.marks ?? []).map((k) => k.y)));
  const x = (v: number) => m.l + (v / xMax) * (W - m.l - m.r);
  const y = (v: number) => H - m.b - (v / yMax) * (H - m.t - m.b);
  const ticks = (max: number) => [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  const grid = [
    ...ticks(yMax).map(
      (v) =>
        `<line x1="${m.l}" x2="${W - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#e4e4e4"/><text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`,
    ),
    ...ticks(xMax).map((v) => `<text x="${x(v)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(v)}</text>`),
  ].join('');
  const paths = o.lines
    .map((l) => {
      const pts = thin(l.points);
      if (pts.length === 0) return '';
      const d = pts
        .map(([px, py], i) => {
          const prev = pts[i - 1];
          const stepTo = l.step && prev ? `L${x(px).toFixed(1)},${y(prev[1]).toFixed(1)}` : '';
          return `${i === 0 ? 'M' : stepTo + 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`;
        })
        .join('');
      return `<path d="${d}" fill="none" stroke="${l.color}" stroke-width="${l.dashed ? 1.5 : 2}"${l.dashed ? ' stroke-dasharray="6 4"' : ''}/>`;
    })
    .join('');
  const marks = (o.marks ?? [])
    .map(
      (k) =>
        `<line x1="${m.l}" x2="${W - m.r}" y1="${y(k.y)}" y2="${y(k.y)}" stroke="#b00020" stroke-dasharray="3 3"/><text x="${W - m.r - 4}" y="${y(k.y) - 4}" text-anchor="end" fill="#b00020">${esc(k.label)}</text>`,
    )
    .join('');
  const legend = o.lines
    .map(
      (l, i) =>
        `<g transform="translate(${m.l + 8 + (i % 3) * 170},${m.t + 6 + Math.floor(i / 3) * 14})"><line x1="0" x2="16" y1="0" y2="0" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="4 3"' : ''}/><text x="20" y="4">${esc(l.name)}</text></g>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">
<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(o.title)}</text>${grid}
<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#888"/><line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#888"/>
${marks}${paths}${legend}
<text x="${W / 2}" y="${H - 6}" text-anchor="middle">${esc(o.xLabel)}</text>
<text transform="translate(12,${H / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text></svg>`;
}

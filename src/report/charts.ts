/**
 * SVG charts with d3-node: device × model matrix, roofline per device, per-layer latency stacked
 * by unit, memory along the execution order, Pareto fronts. Each returns an SVG string drawn from
 * ScenarioReport data only. Sized for a 1000 px page (960 × ~400, text ≥ 12 px), Okabe–Ito
 * colours (Okabe & Ito, "Color Universal Design", 2008) with shapes or labels as a second cue.
 * Every data mark carries class `mark` so a browser test can count them; output is deterministic
 * (coordinates rounded, no ids from counters that persist between reports).
 */
import { D3Node } from 'd3-node';
import { formatBytes, formatMs } from '../units/index.ts';
import type { Cell, DeviceSummary, ScenarioReport } from './types.ts';

export const OKABE_ITO = {
  orange: '#E69F00', sky: '#56B4E9', green: '#009E73', yellow: '#F0E442',
  blue: '#0072B2', vermillion: '#D55E00', purple: '#CC79A7', black: '#000000',
} as const;
const GREY = '#999999';
const LIGHT_GREY = '#CCCCCC';

/** Series colours in order (vermillion is kept for fallbacks and misses, yellow last: low contrast on white). */
export const SERIES = [OKABE_ITO.blue, OKABE_ITO.orange, OKABE_ITO.green, OKABE_ITO.purple, OKABE_ITO.sky, OKABE_ITO.black, OKABE_ITO.yellow] as const;
const SYMBOLS = ['symbolCircle', 'symbolSquare', 'symbolTriangle', 'symbolDiamond', 'symbolCross', 'symbolStar', 'symbolWye'] as const;

/** Compute-unit kinds → colour, the same in every chart. */
export const UNIT_COLOR: Readonly<Record<string, string>> = {
  gpu: OKABE_ITO.blue, mcu: OKABE_ITO.blue, npu: OKABE_ITO.green, tpu: OKABE_ITO.green,
  dla: OKABE_ITO.purple, cpu: OKABE_ITO.orange, dsp: OKABE_ITO.sky,
};
const UNIT_LABEL: Readonly<Record<string, string>> = { gpu: 'GPU', mcu: 'MCU core', npu: 'NPU', tpu: 'TPU', dla: 'DLA', cpu: 'CPU', dsp: 'DSP' };

const W = 960;
const FONT = 13;
const r2 = (x: number) => Math.round(x * 100) / 100;

interface Frame {
  readonly d3: any;
  readonly svg: any;
  readonly g: any;
  readonly iw: number;
  readonly ih: number;
  readonly m: { top: number; right: number; bottom: number; left: number };
  string(): string;
}

/** An SVG with a title, a plot group inside margins, and the chart kind in `data-chart`. */
function frame(kind: string, id: string, title: string, height: number, m = { top: 44, right: 28, bottom: 64, left: 84 }): Frame {
  const d3n = new D3Node();
  const d3 = d3n.d3;
  const svg = d3n.createSVG(W, height, {
    class: `chart chart-${kind}`, 'data-chart': kind, id, viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': title,
    'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', 'font-size': FONT,
  });
  svg.append('title').text(title);
  svg.append('rect').attr('width', W).attr('height', height).attr('fill', '#ffffff');
  svg.append('text').attr('class', 'chart-title').attr('x', 12).attr('y', 24).attr('font-size', 16).attr('font-weight', 600).text(title);
  const g = svg.append('g').attr('transform', `translate(${m.left},${m.top})`);
  return { d3, svg, g, iw: W - m.left - m.right, ih: height - m.top - m.bottom, m, string: () => d3n.svgString() };
}

function axisLabels(f: Frame, x: string, y: string): void {
  f.g.append('text').attr('class', 'axis-label').attr('x', f.iw / 2).attr('y', f.ih + 44).attr('text-anchor', 'middle').text(x);
  f.g.append('text').attr('class', 'axis-label').attr('transform', `translate(${-f.m.left + 16},${f.ih / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(y);
}

function styleAxis(sel: any): void {
  sel.attr('font-size', 12).attr('font-family', null);
  sel.selectAll('.tick line').attr('stroke', '#444');
  sel.select('.domain').attr('stroke', '#444');
}

function grid(f: Frame, y: any, ticks: number[] | undefined): void {
  const vals = ticks ?? y.ticks(5);
  f.g.append('g').attr('class', 'grid').selectAll('line').data(vals).join('line')
    .attr('x1', 0).attr('x2', f.iw).attr('y1', (v: number) => r2(y(v))).attr('y2', (v: number) => r2(y(v)))
    .attr('stroke', '#e5e5e5');
}

/** Horizontal legend of [colour, label, kind] items at (x, y) in the svg; kinds draw a swatch, line, symbol or hatch. */
function legend(f: Frame, x: number, y: number, items: readonly { color: string; label: string; kind?: 'rect' | 'line' | 'dash' | 'hatch' | 'hollow'; symbol?: number }[]): void {
  const lg = f.svg.append('g').attr('class', 'legend').attr('transform', `translate(${x},${y})`);
  let cx = 0, cy = 0;
  for (const it of items) {
    const wText = it.label.length * 7.4 + 44;
    if (cx + wText > W - x - 12 && cx > 0) { cx = 0; cy += 20; }
    const gi = lg.append('g').attr('transform', `translate(${cx},${cy})`);
    if (it.kind === 'line' || it.kind === 'dash') {
      gi.append('line').attr('x1', 0).attr('x2', 20).attr('y1', 0).attr('y2', 0).attr('stroke', it.color).attr('stroke-width', 2.5).attr('stroke-dasharray', it.kind === 'dash' ? '6 4' : null);
    } else if (it.symbol !== undefined || it.kind === 'hollow') {
      const sym = f.d3.symbol().type(f.d3[SYMBOLS[(it.symbol ?? 0) % SYMBOLS.length]]).size(80);
      gi.append('path').attr('d', sym()).attr('transform', 'translate(10,0)')
        .attr('fill', it.kind === 'hollow' ? 'none' : it.color).attr('stroke', it.kind === 'hollow' ? it.color : '#ffffff').attr('stroke-width', it.kind === 'hollow' ? 2 : 0.8);
    } else {
      gi.append('rect').attr('x', 0).attr('y', -7).attr('width', 20).attr('height', 14).attr('fill', it.kind === 'hatch' ? LIGHT_GREY : it.color)
        .attr('stroke', it.kind === 'hatch' ? OKABE_ITO.vermillion : 'none').attr('stroke-width', 2);
      if (it.kind === 'hatch') gi.append('path').attr('d', 'M0,7 L14,-7 M6,7 L20,-7').attr('stroke', OKABE_ITO.vermillion).attr('stroke-width', 2);
    }
    gi.append('text').attr('x', 26).attr('y', 4).attr('font-size', 12).text(it.label);
    cx += wText;
  }
}

const fmtOps = (v: number) => {
  for (const [s, d] of [['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) if (v >= d) return `${Number((v / d).toPrecision(3))} ${s}`;
  return `${Number(v.toPrecision(3))} `;
};

/** Category of a latency (or binding) ratio for the matrix: colour, label, text colour. */
export function ratioBand(ratio: number | undefined): { color: string; text: string; label: string } {
  if (ratio === undefined) return { color: LIGHT_GREY, text: '#000', label: 'no budget' };
  if (ratio <= 0.8) return { color: OKABE_ITO.blue, text: '#fff', label: 'meets, ≥ 20 % headroom' };
  if (ratio <= 1) return { color: OKABE_ITO.sky, text: '#000', label: 'meets, < 20 % headroom' };
  if (ratio <= 1.5) return { color: OKABE_ITO.orange, text: '#000', label: 'misses by ≤ 50 %' };
  return { color: OKABE_ITO.vermillion, text: '#fff', label: 'misses by > 50 %' };
}

/** Device × model matrix coloured by latency against the budget (or the binding constraint without one). */
export function renderMatrix(r: ScenarioReport): string {
  const rows = r.devices.map((d) => d.key);
  const cols = r.models.map((m) => m.key);
  const left = Math.min(280, 30 + Math.max(...rows.map((s) => s.length)) * 9);
  const cellH = 52;
  const f = frame('matrix', `chart-matrix`, `Verdict matrix — latency${r.latencyLimitMs !== undefined ? ` vs the ${formatMs(r.latencyLimitMs)} budget` : ''} (a miss is coloured by the constraint it fails)`, 44 + 36 + rows.length * cellH + 70, { top: 80, right: 20, bottom: 70, left });
  const cw = f.iw / cols.length;
  f.g.selectAll('text.col').data(cols).join('text').attr('class', 'col').attr('x', (_: string, i: number) => r2(cw * i + cw / 2)).attr('y', -10)
    .attr('text-anchor', 'middle').attr('font-weight', 600).text((c: string) => c);
  f.g.selectAll('text.row').data(rows).join('text').attr('class', 'row').attr('x', -10).attr('y', (_: string, i: number) => i * cellH + cellH / 2 + 5)
    .attr('text-anchor', 'end').attr('font-weight', 600).text((d: string) => d);
  for (const c of r.cells) {
    const i = rows.indexOf(c.device), j = cols.indexOf(c.model);
    const lat = c.checks.find((k) => k.constraint === 'latency');
    // Latency against its budget; a pair that misses another budget takes the colour of that miss.
    const band = ratioBand(c.verdict.meets ? lat?.ratio ?? c.verdict.binding?.ratio : c.verdict.binding?.ratio);
    const cg = f.g.append('g').attr('transform', `translate(${r2(j * cw)},${i * cellH})`);
    cg.append('rect').attr('class', 'mark').attr('data-device', c.device).attr('data-model', c.model)
      .attr('x', 2).attr('y', 2).attr('width', r2(cw - 4)).attr('height', cellH - 4).attr('rx', 4).attr('fill', band.color)
      .append('title').text(`${c.device} × ${c.model}: ${c.verdict.text}`);
    const mark = c.verdict.meets ? '✓' : '✗';
    cg.append('text').attr('x', r2(cw / 2)).attr('y', 22).attr('text-anchor', 'middle').attr('fill', band.text).attr('font-weight', 600)
      .text(`${mark} ${formatMs(c.sim.latencyMs)}`);
    const sub = c.verdict.meets ? (lat ? `${((1 - lat.ratio) * 100).toFixed(0)} % headroom` : c.verdict.binding ? `${c.verdict.binding.constraint} ok` : '')
      : `${c.verdict.binding!.constraint} +${fmtShortfall(c)}`;
    cg.append('text').attr('x', r2(cw / 2)).attr('y', 40).attr('text-anchor', 'middle').attr('fill', band.text).attr('font-size', 12).text(sub);
  }
  legend(f, left, f.m.top + f.ih + 30, [0.5, 0.9, 1.2, 2].map((x) => ({ color: ratioBand(x).color, label: ratioBand(x).label })));
  return f.string();
}

function fmtShortfall(c: Cell): string {
  const b = c.verdict.binding!;
  const d = b.achieved - b.limit;
  return b.unit === 'ms' ? formatMs(d) : b.unit === 'bytes' ? formatBytes(d) : b.unit === 'W' ? `${d.toFixed(2)} W` : `${d.toFixed(2)} mJ`;
}

/** Roofline of one device: every layer of every model as a point, the roof and its ridge point. */
export function renderRoofline(r: ScenarioReport, d: DeviceSummary, index: number): string {
  const cells = r.cells.filter((c) => c.device === d.key);
  const f = frame('roofline', `chart-roofline-${index}`, `Roofline — ${d.key} (${d.unit}, ${d.precision}): every layer`, 500, { top: 44, right: 28, bottom: 64, left: 108 });
  const { d3 } = f;
  const pts = cells.flatMap((c, mi) => c.layers.filter((l) => l.opsPerByte > 0 && l.attainedOpsPerS > 0).map((l) => ({ ...l, mi })));
  const { peakOpsPerS: peak, bandwidthBytesPerS: bw, ridgeOpsPerByte: ridge } = d.roof;
  const xs = pts.map((p) => p.opsPerByte);
  const ys = pts.map((p) => p.attainedOpsPerS);
  const x0 = Math.min(ridge, ...xs) / 3, x1 = Math.max(ridge, ...xs) * 3;
  const y0 = Math.min(peak / 1e3, ...ys) / 3, y1 = peak * 3;
  const x = d3.scaleLog().domain([x0, x1]).range([0, f.iw]).nice();
  const y = d3.scaleLog().domain([y0, y1]).range([f.ih, 0]).nice();
  const decades = (s: any) => s.ticks().filter((t: number) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
  grid(f, y, decades(y));
  f.g.append('g').attr('transform', `translate(0,${f.ih})`).call(d3.axisBottom(x).tickValues(decades(x)).tickFormat((v: number) => fmtOps(v).trim())).call(styleAxis);
  f.g.append('g').call(d3.axisLeft(y).tickValues(decades(y)).tickFormat((v: number) => `${fmtOps(v)}ops/s`)).call(styleAxis);
  axisLabels(f, 'arithmetic intensity (ops per byte moved, log scale)', 'attained throughput (ops/s, log scale)');
  const [dx0, dx1] = x.domain();
  const roof = (b: number) => [[dx0, Math.min(peak, b * dx0)], ...(b * dx0 < peak && b * dx1 > peak ? [[peak / b, peak]] : []), [dx1, Math.min(peak, b * dx1)]];
  const line = d3.line().x((p: number[]) => r2(x(p[0]))).y((p: number[]) => r2(y(p[1])));
  f.g.append('path').attr('class', 'roof').attr('d', line(roof(bw))).attr('fill', 'none').attr('stroke', OKABE_ITO.black).attr('stroke-width', 2.5);
  if (d.roof.onchipBandwidthBytesPerS) {
    f.g.append('path').attr('class', 'roof roof-onchip').attr('d', line(roof(d.roof.onchipBandwidthBytesPerS))).attr('fill', 'none').attr('stroke', GREY).attr('stroke-width', 2).attr('stroke-dasharray', '6 4');
  }
  // Ridge point: where the memory roof meets the compute roof.
  f.g.append('line').attr('x1', r2(x(ridge))).attr('x2', r2(x(ridge))).attr('y1', r2(y(peak))).attr('y2', f.ih).attr('stroke', OKABE_ITO.black).attr('stroke-dasharray', '2 3');
  f.g.append('circle').attr('class', 'ridge').attr('cx', r2(x(ridge))).attr('cy', r2(y(peak))).attr('r', 6).attr('fill', OKABE_ITO.yellow).attr('stroke', OKABE_ITO.black).attr('stroke-width', 1.5);
  const rightSide = x(ridge) < f.iw * 0.7;
  f.g.append('text').attr('x', r2(x(ridge) + (rightSide ? 10 : -10))).attr('y', r2(y(peak) - 10)).attr('text-anchor', rightSide ? 'start' : 'end').attr('font-size', 12)
    .text(`ridge ${Number(ridge.toPrecision(3))} ops/B · peak ${fmtOps(peak)}ops/s · ${fmtOps(bw)}B/s`);
  for (const p of pts) {
    const sym = d3.symbol().type(d3[SYMBOLS[p.mi % SYMBOLS.length]]).size(p.fallback ? 70 : 48);
    const color = SERIES[p.mi % SERIES.length];
    f.g.append('path').attr('class', `mark${p.fallback ? ' fallback' : ''}`).attr('d', sym()).attr('transform', `translate(${r2(x(p.opsPerByte))},${r2(y(p.attainedOpsPerS))})`)
      .attr('fill', p.fallback ? 'none' : color).attr('fill-opacity', 0.75).attr('stroke', p.fallback ? OKABE_ITO.vermillion : '#ffffff').attr('stroke-width', p.fallback ? 2 : 0.6)
      .append('title').text(`${cells[p.mi].model} · ${p.name} (${p.op}, ${p.unit}${p.fallback ? ', fallback' : ''}): ${Number(p.opsPerByte.toPrecision(3))} ops/B, ${fmtOps(p.attainedOpsPerS)}ops/s, ${formatMs(p.latencyMs)}`);
  }
  legend(f, f.m.left, f.m.top + f.ih + 56, [
    ...cells.map((c, i) => ({ color: SERIES[i % SERIES.length], label: c.model, symbol: i })),
    ...(pts.some((p) => p.fallback) ? [{ color: OKABE_ITO.vermillion, label: 'fallback layer (other unit)', kind: 'hollow' as const }] : []),
    { color: OKABE_ITO.black, label: `roof: ${d.unit} peak / memory bandwidth`, kind: 'line' as const },
    ...(d.roof.onchipBandwidthBytesPerS ? [{ color: GREY, label: 'on-chip memory roof', kind: 'dash' as const }] : []),
  ]);
  return f.string();
}

/** One bar per device for a model: its layers in execution order, coloured by unit; fallbacks hatched; transfers grey. */
export function renderLatencyStack(r: ScenarioReport, modelKey: string, index: number): string {
  const cells = r.cells.filter((c) => c.model === modelKey);
  const left = Math.min(280, 30 + Math.max(...cells.map((c) => c.device.length)) * 9);
  const barH = 30, gap = 16;
  const f = frame('latency', `chart-latency-${index}`, `Per-layer latency by unit — ${modelKey}`, 44 + 24 + cells.length * (barH + gap) + 110, { top: 56, right: 90, bottom: 110, left });
  const { d3 } = f;
  const totals = cells.map((c) => c.layers.reduce((s, l) => s + l.latencyMs, 0) + c.extras.reduce((s, e) => s + e.latencyMs, 0));
  const limit = r.latencyLimitMs;
  const x = d3.scaleLinear().domain([0, Math.max(...totals, limit ?? 0) * 1.04]).range([0, f.iw]).nice();
  f.g.append('g').attr('class', 'grid').selectAll('line').data(x.ticks(8)).join('line')
    .attr('x1', (v: number) => r2(x(v))).attr('x2', (v: number) => r2(x(v))).attr('y1', 0).attr('y2', cells.length * (barH + gap)).attr('stroke', '#e5e5e5');
  f.g.append('g').attr('transform', `translate(0,${cells.length * (barH + gap)})`).call(d3.axisBottom(x).ticks(8)).call(styleAxis);
  f.g.append('text').attr('class', 'axis-label').attr('x', f.iw / 2).attr('y', cells.length * (barH + gap) + 40).attr('text-anchor', 'middle').text('latency per inference call (ms), layers in execution order');
  const hatch = `hatch-${index}`;
  f.svg.insert('defs', 'g').append('pattern').attr('id', hatch).attr('patternUnits', 'userSpaceOnUse').attr('width', 6).attr('height', 6).attr('patternTransform', 'rotate(45)')
    .call((p: any) => { p.append('rect').attr('width', 6).attr('height', 6).attr('fill', '#f3d3c0'); p.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 6).attr('stroke', OKABE_ITO.vermillion).attr('stroke-width', 3); });
  const kinds = new Set<string>();
  let anyFallback = false, anyTransfer = false, anyOverhead = false;
  cells.forEach((c, i) => {
    const dev = r.devices.find((d) => d.key === c.device)!;
    const yb = i * (barH + gap);
    f.g.append('text').attr('x', -10).attr('y', yb + barH / 2 + 5).attr('text-anchor', 'end').attr('font-weight', 600).text(c.device);
    const bar = f.g.append('g').attr('class', 'bar');
    let cum = 0;
    for (const l of c.layers) {
      const kind = dev.unitKinds[l.unit] ?? 'cpu';
      kinds.add(kind);
      if (l.fallback) anyFallback = true;
      bar.append('rect').attr('class', `mark${l.fallback ? ' fallback' : ''}`).attr('x', r2(x(cum))).attr('y', yb).attr('width', r2(Math.max(0, x(cum + l.latencyMs) - x(cum))))
        .attr('height', barH).attr('fill', l.fallback ? `url(#${hatch})` : UNIT_COLOR[kind] ?? GREY)
        .append('title').text(`${l.name} (${l.op}) on ${l.unit}${l.fallback ? ` — fallback: ${l.fallbackReason ?? ''}` : ''}: ${formatMs(l.latencyMs)}, ${l.bound}-bound`);
      cum += l.latencyMs;
    }
    for (const e of c.extras) {
      if (e.kind === 'transfer') anyTransfer = true; else anyOverhead = true;
      bar.append('rect').attr('class', 'mark extra').attr('x', r2(x(cum))).attr('y', yb).attr('width', r2(Math.max(0, x(cum + e.latencyMs) - x(cum))))
        .attr('height', barH).attr('fill', e.kind === 'transfer' ? GREY : LIGHT_GREY)
        .append('title').text(`${e.name} (${e.kind}): ${formatMs(e.latencyMs)}`);
      cum += e.latencyMs;
    }
    // Fallback runs get an outline so a thin hatched segment is still visible.
    const fb = c.layers.map((l, k) => ({ l, k })).filter(({ l }) => l.fallback);
    if (fb.length) {
      let s = 0;
      const starts = c.layers.map((l) => { const v = s; s += l.latencyMs; return v; });
      for (const { l, k } of fb) {
        bar.append('line').attr('x1', r2(x(starts[k]))).attr('x2', r2(x(starts[k] + l.latencyMs))).attr('y1', yb + barH + 2).attr('y2', yb + barH + 2).attr('stroke', OKABE_ITO.vermillion).attr('stroke-width', 3);
      }
    }
    f.g.append('text').attr('x', r2(x(cum) + 6)).attr('y', yb + barH / 2 + 5).attr('font-size', 12).text(formatMs(c.sim.latencyMs));
  });
  if (limit !== undefined) {
    f.g.append('line').attr('class', 'budget').attr('x1', r2(x(limit))).attr('x2', r2(x(limit))).attr('y1', -8).attr('y2', cells.length * (barH + gap)).attr('stroke', OKABE_ITO.black).attr('stroke-width', 2).attr('stroke-dasharray', '6 4');
    f.g.append('text').attr('x', r2(x(limit))).attr('y', -14).attr('text-anchor', 'middle').attr('font-size', 12).text(`budget ${formatMs(limit)}`);
  }
  legend(f, left, f.m.top + cells.length * (barH + gap) + 74, [
    ...[...kinds].sort().map((k) => ({ color: UNIT_COLOR[k] ?? GREY, label: UNIT_LABEL[k] ?? k })),
    ...(anyFallback ? [{ color: OKABE_ITO.vermillion, label: 'fallback layer (hatched, underlined)', kind: 'hatch' as const }] : []),
    ...(anyTransfer ? [{ color: GREY, label: 'transfer / weight streaming' }] : []),
    ...(anyOverhead ? [{ color: LIGHT_GREY, label: 'fixed overhead' }] : []),
    ...(limit !== undefined ? [{ color: OKABE_ITO.black, label: 'latency budget', kind: 'dash' as const }] : []),
  ]);
  return f.string();
}

/** Live activation bytes along the execution order for one model, with each device's memory limits. */
export function renderMemory(r: ScenarioReport, modelKey: string, index: number): string {
  const cells = r.cells.filter((c) => c.model === modelKey);
  // Devices whose timelines are identical (same precision and batch) share one line.
  const groups: { devices: string[]; timeline: readonly number[]; color: string; symbol: number }[] = [];
  for (const c of cells) {
    const g = groups.find((x) => x.timeline.length === c.memoryTimeline.length && x.timeline.every((v, i) => v === c.memoryTimeline[i]));
    if (g) g.devices.push(c.device);
    else groups.push({ devices: [c.device], timeline: c.memoryTimeline, color: SERIES[groups.length % SERIES.length], symbol: groups.length });
  }
  const maxLive = Math.max(1, ...cells.flatMap((c) => c.memoryTimeline));
  const limits = cells.flatMap((c, i) => r.devices.find((d) => d.key === c.device)!.memoryLimits
    .filter((l) => l.holds !== 'weights').map((l) => ({ ...l, device: c.device, i })));
  const budget = r.budgets.peakActivationBytes;
  const shown = limits.filter((l) => l.bytes <= maxLive * 4);
  const offScale = limits.filter((l) => l.bytes > maxLive * 4);
  const f = frame('memory', `chart-memory-${index}`, `Live activation memory along the execution order — ${modelKey}`, 470, { top: 44, right: 28, bottom: 110, left: 96 });
  const { d3 } = f;
  const n = Math.max(...cells.map((c) => c.memoryTimeline.length));
  const x = d3.scaleLinear().domain([0, Math.max(1, n - 1)]).range([0, f.iw]);
  const yMax = Math.max(maxLive, ...shown.map((l) => l.bytes), budget !== undefined && budget <= maxLive * 4 ? budget : 0) * 1.12;
  const y = d3.scaleLinear().domain([0, yMax]).range([f.ih, 0]);
  f.g.append('g').attr('transform', `translate(0,${f.ih})`).call(d3.axisBottom(x).ticks(10)).call(styleAxis);
  // Ticks at multiples of a power of two (KiB/MiB), as memory sizes are counted.
  const step = 2 ** Math.ceil(Math.log2(Math.max(1, yMax / 6)));
  y.domain([0, Math.ceil(yMax / step) * step]);
  const yTicks = d3.range(0, y.domain()[1] + step / 2, step);
  grid(f, y, yTicks);
  f.g.append('g').call(d3.axisLeft(y).tickValues(yTicks).tickFormat((v: number) => formatBytes(v).replace('.00 ', ' ').replace('.0 ', ' '))).call(styleAxis);
  axisLabels(f, 'layer index (execution order)', 'live activations (bytes)');
  const line = d3.line().x((_: number, i: number) => r2(x(i))).y((v: number) => r2(y(v))).curve(d3.curveStepAfter);
  for (const g of groups) {
    f.g.append('path').attr('class', 'mark').attr('d', line(g.timeline)).attr('fill', 'none').attr('stroke', g.color).attr('stroke-width', 2.5)
      .append('title').text(`${g.devices.join(', ')}: peak ${formatBytes(Math.max(...g.timeline))}`);
    const peakAt = g.timeline.indexOf(Math.max(...g.timeline));
    const sym = d3.symbol().type(d3[SYMBOLS[g.symbol % SYMBOLS.length]]).size(90);
    f.g.append('path').attr('class', 'mark peak').attr('d', sym()).attr('transform', `translate(${r2(x(peakAt))},${r2(y(g.timeline[peakAt]))})`).attr('fill', g.color).attr('stroke', '#fff');
  }
  const dash = ['6 4', '2 3', '10 3 2 3', '1 4'];
  shown.forEach((l, k) => {
    const color = SERIES[cells.findIndex((c) => c.device === l.device) % SERIES.length];
    f.g.append('line').attr('class', 'limit').attr('x1', 0).attr('x2', f.iw).attr('y1', r2(y(l.bytes))).attr('y2', r2(y(l.bytes)))
      .attr('stroke', color).attr('stroke-width', 2).attr('stroke-dasharray', dash[k % dash.length]);
    f.g.append('text').attr('x', f.iw - 4).attr('y', r2(y(l.bytes) - 5 - (k % 2) * 0)).attr('text-anchor', 'end').attr('font-size', 12)
      .text(`${l.device} ${l.level} (${l.holds === 'activations' ? l.kind : 'on-chip'}) ${formatBytes(l.bytes)}`);
  });
  if (budget !== undefined && budget <= maxLive * 4) {
    f.g.append('line').attr('class', 'budget').attr('x1', 0).attr('x2', f.iw).attr('y1', r2(y(budget))).attr('y2', r2(y(budget))).attr('stroke', OKABE_ITO.vermillion).attr('stroke-width', 2.5).attr('stroke-dasharray', '8 4');
    f.g.append('text').attr('x', f.iw - 4).attr('y', r2(y(budget) + 16)).attr('text-anchor', 'end').attr('font-size', 12).attr('font-weight', 600).attr('fill', OKABE_ITO.vermillion).text(`memory budget ${formatBytes(budget)}`);
  }
  legend(f, f.m.left, f.m.top + f.ih + 62, groups.map((g) => ({
    color: g.color, symbol: g.symbol,
    label: `${g.devices.join(', ')} (${cells.find((c) => c.device === g.devices[0])!.sim.precision})`,
  })));
  if (offScale.length) {
    const seen = new Set<string>();
    const txt = offScale.filter((l) => !seen.has(`${l.level}${l.bytes}`) && seen.add(`${l.level}${l.bytes}`))
      .map((l) => `${l.level} ${formatBytes(l.bytes)}`).join(', ');
    f.svg.append('text').attr('x', f.m.left).attr('y', f.m.top + f.ih + 100).attr('font-size', 12).attr('fill', '#444')
      .text(`Off scale (over 4× the peak, ample room): ${txt}`);
  }
  return f.string();
}

/** Pareto fronts (latency vs estimated accuracy drop) of one model, a front per device, with the budget lines. */
export function renderPareto(r: ScenarioReport, modelKey: string, index: number): string | undefined {
  const cells = r.cells.filter((c) => c.model === modelKey && c.plan && (c.plan.pareto.length || c.plan.feasible));
  if (!cells.length) return undefined;
  const f = frame('pareto', `chart-pareto-${index}`, `Pareto front: latency vs estimated accuracy drop — ${modelKey}`, 460, { top: 44, right: 28, bottom: 104, left: 84 });
  const { d3 } = f;
  const fronts = cells.map((c) => c.plan!.pareto.length ? c.plan!.pareto : [{ latencyMs: c.plan!.latencyMs, accuracyDropPct: c.plan!.accuracyDropPct, weightsBytes: c.plan!.weightsBytes, plan: [] }]);
  const lat = fronts.flat().map((p) => p.latencyMs);
  const acc = fronts.flat().map((p) => p.accuracyDropPct);
  const limit = r.latencyLimitMs, maxDrop = r.budgets.maxAccuracyDropPct;
  const x = d3.scaleLinear().domain([0, Math.max(...lat, limit ?? 0) * 1.08]).range([0, f.iw]).nice();
  const y = d3.scaleLinear().domain([0, Math.max(0.5, ...acc, maxDrop ?? 0) * 1.12]).range([f.ih, 0]).nice();
  grid(f, y, undefined);
  f.g.append('g').attr('transform', `translate(0,${f.ih})`).call(d3.axisBottom(x).ticks(10)).call(styleAxis);
  f.g.append('g').call(d3.axisLeft(y).ticks(6)).call(styleAxis);
  axisLabels(f, 'predicted latency (ms)', 'est. top-1 drop (pp, proxy)');
  if (limit !== undefined) {
    f.g.append('line').attr('class', 'budget').attr('x1', r2(x(limit))).attr('x2', r2(x(limit))).attr('y1', 0).attr('y2', f.ih).attr('stroke', OKABE_ITO.vermillion).attr('stroke-width', 2.5).attr('stroke-dasharray', '8 4');
    f.g.append('text').attr('x', r2(x(limit) + 6)).attr('y', 14).attr('font-size', 12).attr('fill', OKABE_ITO.vermillion).text(`latency budget ${formatMs(limit)}`);
  }
  if (maxDrop !== undefined) {
    f.g.append('line').attr('class', 'budget').attr('x1', 0).attr('x2', f.iw).attr('y1', r2(y(maxDrop))).attr('y2', r2(y(maxDrop))).attr('stroke', OKABE_ITO.vermillion).attr('stroke-width', 2).attr('stroke-dasharray', '2 3');
    f.g.append('text').attr('x', f.iw - 4).attr('y', r2(y(maxDrop) - 6)).attr('text-anchor', 'end').attr('font-size', 12).attr('fill', OKABE_ITO.vermillion).text(`max accuracy drop ${maxDrop} pp`);
  }
  const line = d3.line().x((p: { latencyMs: number }) => r2(x(p.latencyMs))).y((p: { accuracyDropPct: number }) => r2(y(p.accuracyDropPct))).curve(d3.curveStepAfter);
  cells.forEach((c, i) => {
    const color = SERIES[r.devices.findIndex((d) => d.key === c.device) % SERIES.length];
    const pts = fronts[i];
    f.g.append('path').attr('class', 'front').attr('d', line(pts)).attr('fill', 'none').attr('stroke', color).attr('stroke-width', 1.5).attr('stroke-opacity', 0.7);
    const sym = d3.symbol().type(d3[SYMBOLS[i % SYMBOLS.length]]).size(64);
    for (const p of pts) {
      f.g.append('path').attr('class', 'mark').attr('d', sym()).attr('transform', `translate(${r2(x(p.latencyMs))},${r2(y(p.accuracyDropPct))})`).attr('fill', color).attr('stroke', '#fff')
        .append('title').text(`${c.device}: ${formatMs(p.latencyMs)}, est. drop ${p.accuracyDropPct.toFixed(2)} pp, weights ${formatBytes(p.weightsBytes)}`);
    }
    if (c.plan!.feasible) {
      f.g.append('circle').attr('class', 'chosen').attr('cx', r2(x(c.plan!.latencyMs))).attr('cy', r2(y(c.plan!.accuracyDropPct))).attr('r', 10).attr('fill', 'none').attr('stroke', color).attr('stroke-width', 2.5);
    }
  });
  legend(f, f.m.left, f.m.top + f.ih + 62, [
    ...cells.map((c, i) => ({ color: SERIES[r.devices.findIndex((d) => d.key === c.device) % SERIES.length], label: c.device, symbol: i })),
    { color: '#444', label: 'ring = recommended plan', kind: 'hollow' as const },
  ]);
  return f.string();
}

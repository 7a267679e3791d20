// Draws bench/sweep.sh's flows/s against concurrency as an SVG line chart (no dependencies).
// Usage: node chart.mjs <alg> <out.svg> <out.json> <server>=<concurrency>=<report.json> ...
import { writeFileSync } from 'node:fs';
import { readJson } from './reports.mjs';

const [alg, svgPath, jsonPath, ...specs] = process.argv.slice(2);
const series = {};
for (const spec of specs) {
  const [server, concurrency, path] = spec.split('=');
  const report = readJson(path); // null for a failed run: it leaves no point
  (series[server] ??= []).push({
    concurrency: Number(concurrency),
    flows: report?.flows?.per_second ?? NaN,
    p99: report?.flows?.latency_ms?.p99 ?? NaN,
    cpu: (report?.server?.cpu_percent_of_one_core ?? NaN) / 100,
  });
}

const width = 720, height = 420, left = 70, right = 180, top = 50, bottom = 60;
const levels = [...new Set(Object.values(series).flat().map((p) => p.concurrency))].sort((a, b) => a - b);
const maxFlows = Math.max(...Object.values(series).flat().map((p) => p.flows).filter(Number.isFinite), 1);
const yMax = Math.ceil(maxFlows / 500) * 500;
const x = (c) => left + (levels.indexOf(c) / Math.max(1, levels.length - 1)) * (width - left - right);
const y = (v) => top + (1 - v / yMax) * (height - top - bottom);
const colors = { backchannel: '#1f6feb', 'node-oidc-provider': '#d1242f' };

const parts = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
  `<rect width="100%" height="100%" fill="white"/>`,
  `<text x="${left}" y="28" font-size="16" font-weight="bold">CIBA full flows per second (${alg}) against concurrent flows</text>`,
];
for (let v = 0; v <= yMax; v += yMax / 5) {
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
  parts.push(`<text x="${left - 8}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`);
}
for (const c of levels) {
  parts.push(`<text x="${x(c)}" y="${height - bottom + 20}" text-anchor="middle">${c}</text>`);
}
parts.push(`<text x="${(left + width - right) / 2}" y="${height - 15}" text-anchor="middle">concurrent flows</text>`);
parts.push(`<text transform="translate(18 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">flows/s</text>`);
let legend = top + 10;
for (const [server, points] of Object.entries(series)) {
  const color = colors[server] ?? '#444';
  const sorted = points.filter((p) => Number.isFinite(p.flows)).sort((a, b) => a.concurrency - b.concurrency);
  parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2.5" points="${sorted.map((p) => `${x(p.concurrency)},${y(p.flows)}`).join(' ')}"/>`);
  for (const p of sorted) {
    parts.push(`<circle cx="${x(p.concurrency)}" cy="${y(p.flows)}" r="4" fill="${color}"/>`);
    parts.push(`<text x="${x(p.concurrency)}" y="${y(p.flows) - 9}" text-anchor="middle" fill="${color}">${Math.round(p.flows)}</text>`);
  }
  parts.push(`<rect x="${width - right + 15}" y="${legend - 10}" width="12" height="12" fill="${color}"/>`);
  parts.push(`<text x="${width - right + 33}" y="${legend}">${server}</text>`);
  legend += 22;
}
parts.push('</svg>');
writeFileSync(svgPath, parts.join('\n') + '\n');
writeFileSync(jsonPath, JSON.stringify({ alg, series }, null, 2) + '\n');

console.log(`\nflows/s against concurrency, ${alg}\n`);
console.log(`| server | ${levels.map((c) => `c=${c}`).join(' | ')} |`);
console.log(`| --- | ${levels.map(() => '---:').join(' | ')} |`);
for (const [server, points] of Object.entries(series)) {
  const at = (c) => points.find((p) => p.concurrency === c);
  console.log(`| ${server} | ${levels.map((c) => (Number.isFinite(at(c)?.flows) ? Math.round(at(c).flows) : 'n/a')).join(' | ')} |`);
}
console.log(`\nchart written to ${svgPath}`);

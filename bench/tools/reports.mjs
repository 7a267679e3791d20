// Shared by the summarising scripts: reading the load generator's JSON reports and the statistics taken over rounds.
import { readFileSync } from 'node:fs';

/** The parsed JSON file, or null when it is missing or broken (a failed run). */
export const readJson = (path) => { try { return JSON.parse(readFileSync(path, 'utf8')); } catch { return null; } };

/** "key=report.json" arguments grouped by key, in argument order: { key: [report or null, ...] }. */
export function groupReports(specs) {
  const groups = {};
  for (const spec of specs) {
    const [key, path] = spec.split('=');
    (groups[key] ??= []).push(readJson(path));
  }
  return groups;
}

export const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** p99 latency (ms) of one endpoint row of a report, or NaN. */
export const p99 = (report, name) => report?.endpoints?.find((e) => e.name === name)?.latency_ms?.p99 ?? NaN;

/** Server cores used during the window (1.0 = one core busy all the time), or NaN. */
export const serverCores = (report) => (report?.server?.cpu_percent_of_one_core ?? NaN) / 100;

export const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** The figures bench/run.sh and bench/modes.sh report for one server or mode: per round and their medians. */
export const summariseRounds = (reports) => ({
  rounds: reports.map((r) => r?.flows?.per_second ?? NaN),
  failed: reports.reduce((sum, r) => sum + (r?.flows?.failed ?? 0), 0),
  median_flows_per_second: median(reports.map((r) => r?.flows?.per_second)),
  median_cpu_ms_per_flow: median(reports.map((r) => r?.server?.cpu_ms_per_flow)),
  median_server_cores: median(reports.map(serverCores)),
  median_p99_flow_ms: median(reports.map((r) => r?.flows?.latency_ms?.p99)),
  median_p99_bc_authorize_ms: median(reports.map((r) => p99(r, 'bc-authorize'))),
  median_p99_token_ms: median(reports.map((r) => p99(r, 'token'))),
  peak_rss_mib: Math.max(...reports.map((r) => r?.server?.peak_rss_mib ?? 0)),
});

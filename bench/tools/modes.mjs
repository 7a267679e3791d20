// Summarises bench/modes.sh: per delivery mode, the median over the rounds of flows/s, server CPU per flow and the
// p99 latencies. Usage: node modes.mjs <alg> <summary.json> poll=<run.json> ping=<run.json> push=<run.json> ...
import { readFileSync, writeFileSync } from 'node:fs';

const [alg, summaryPath, ...runs] = process.argv.slice(2);
const byMode = {};
for (const spec of runs) {
  const [mode, path] = spec.split('=');
  let report;
  try { report = JSON.parse(readFileSync(path, 'utf8')); } catch { report = null; }
  (byMode[mode] ??= []).push(report);
}

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const p99 = (report, name) => report?.endpoints?.find((e) => e.name === name)?.latency_ms?.p99;

const modes = Object.entries(byMode).map(([mode, reports]) => ({
  mode,
  rounds: reports.map((r) => r?.flows?.per_second ?? NaN),
  failed: reports.reduce((sum, r) => sum + (r?.flows?.failed ?? 0), 0),
  median_flows_per_second: median(reports.map((r) => r?.flows?.per_second)),
  median_cpu_ms_per_flow: median(reports.map((r) => r?.server?.cpu_ms_per_flow)),
  median_server_cores: median(reports.map((r) => (r?.server?.cpu_percent_of_one_core ?? NaN) / 100)),
  median_p99_flow_ms: median(reports.map((r) => r?.flows?.latency_ms?.p99)),
  median_p99_bc_authorize_ms: median(reports.map((r) => p99(r, 'bc-authorize'))),
  median_p99_client_notification_ms: median(reports.map((r) => p99(r, 'client-notify'))),
  median_p99_token_ms: median(reports.map((r) => p99(r, 'token'))),
  peak_rss_mib: Math.max(...reports.map((r) => r?.server?.peak_rss_mib ?? 0)),
}));

const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
console.log(`\nBackchannel full flows by delivery mode, ${alg}, ${runs.length / Math.max(1, modes.length)} rounds (median)\n`);
console.log('| mode | flows/s (median) | rounds | failed | server CPU (cores) | CPU ms/flow | p99 flow ms | p99 bc-authorize ms | p99 ping/push ms | p99 token ms | peak RSS MiB |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const m of modes) {
  console.log(`| ${m.mode} | ${fmt(m.median_flows_per_second)} | ${m.rounds.map((r) => fmt(r, 0)).join(', ')} | ${m.failed} | ${fmt(m.median_server_cores, 2)} | ${fmt(m.median_cpu_ms_per_flow, 3)} | ${fmt(m.median_p99_flow_ms)} | ${fmt(m.median_p99_bc_authorize_ms)} | ${fmt(m.median_p99_client_notification_ms)} | ${fmt(m.median_p99_token_ms)} | ${fmt(m.peak_rss_mib, 0)} |`);
}
console.log('\n(p99 ping/push: from the device callback\'s answer to the notification\'s arrival at the client)\n');
writeFileSync(summaryPath, JSON.stringify({ alg, modes }, null, 2) + '\n');
console.log(`summary written to ${summaryPath}`);

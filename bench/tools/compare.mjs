// Summarises bench/run.sh: the median flows/s of each server over the rounds, and their ratio.
// Usage: node compare.mjs <alg> <summary.json> backchannel=<run.json> node-oidc-provider=<run.json> ...
import { readFileSync, writeFileSync } from 'node:fs';

const [alg, summaryPath, ...runs] = process.argv.slice(2);
const byServer = {};
for (const spec of runs) {
  const [server, path] = spec.split('=');
  let report;
  try { report = JSON.parse(readFileSync(path, 'utf8')); } catch { report = null; }
  (byServer[server] ??= []).push(report);
}

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const endpoint = (report, name) => report?.endpoints?.find((e) => e.name === name)?.latency_ms?.p99;

const servers = Object.entries(byServer).map(([server, reports]) => ({
  server,
  rounds: reports.map((r) => r?.flows?.per_second ?? NaN),
  failed: reports.reduce((sum, r) => sum + (r?.flows?.failed ?? 0), 0),
  median_flows_per_second: median(reports.map((r) => r?.flows?.per_second)),
  median_cpu_ms_per_flow: median(reports.map((r) => r?.server?.cpu_ms_per_flow)),
  median_server_cores: median(reports.map((r) => (r?.server?.cpu_percent_of_one_core ?? NaN) / 100)),
  median_p99_bc_authorize_ms: median(reports.map((r) => endpoint(r, 'bc-authorize'))),
  median_p99_token_ms: median(reports.map((r) => endpoint(r, 'token'))),
  peak_rss_mib: Math.max(...reports.map((r) => r?.server?.peak_rss_mib ?? 0)),
}));

const ours = servers.find((s) => s.server === 'backchannel');
const peer = servers.find((s) => s.server === 'node-oidc-provider');
const ratio = ours && peer ? ours.median_flows_per_second / peer.median_flows_per_second : NaN;

const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
console.log(`\nCIBA full flows, ${alg}, ${runs.length / Math.max(1, servers.length)} rounds (median)\n`);
console.log('| server | flows/s (median) | rounds | failed | server CPU (cores) | CPU ms/flow | p99 bc-authorize ms | p99 token ms | peak RSS MiB |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const s of servers) {
  console.log(`| ${s.server} | ${fmt(s.median_flows_per_second)} | ${s.rounds.map((r) => fmt(r, 0)).join(', ')} | ${s.failed} | ${fmt(s.median_server_cores, 2)} | ${fmt(s.median_cpu_ms_per_flow, 3)} | ${fmt(s.median_p99_bc_authorize_ms)} | ${fmt(s.median_p99_token_ms)} | ${fmt(s.peak_rss_mib, 0)} |`);
}
console.log(`\nmedian ratio backchannel / node-oidc-provider: ${fmt(ratio, 2)}x\n`);
writeFileSync(summaryPath, JSON.stringify({ alg, servers, ratio }, null, 2) + '\n');
console.log(`summary written to ${summaryPath}`);

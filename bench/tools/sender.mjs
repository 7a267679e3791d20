// Summarises bench/sender.sh: per mode (plain, dpop, mtls), the median over the rounds of flows/s, server CPU per flow
// and the p99 latencies, and the ratios dpop/plain and mtls/plain (of the medians).
// Usage: node sender.mjs <alg> <summary.json> plain=<run.json> dpop=<run.json> mtls=<run.json> ...
import { writeFileSync } from 'node:fs';
import { fmt, groupReports, summariseRounds } from './reports.mjs';

const [alg, summaryPath, ...runs] = process.argv.slice(2);
const modes = Object.entries(groupReports(runs)).map(([mode, reports]) => ({ mode, ...summariseRounds(reports) }));
const plain = modes.find((m) => m.mode === 'plain');
const ratio = (mode, key) => {
  const m = modes.find((x) => x.mode === mode);
  return m && plain ? m[key] / plain[key] : NaN;
};
const ratios = Object.fromEntries(['dpop', 'mtls'].map((mode) => [mode, {
  flows_per_second: ratio(mode, 'median_flows_per_second'),
  cpu_ms_per_flow: ratio(mode, 'median_cpu_ms_per_flow'),
}]));

console.log(`\nBackchannel full flows (poll), plain against DPoP and mutual TLS, tokens ${alg}, ${runs.length / Math.max(1, modes.length)} rounds (median)\n`);
console.log('| mode | flows/s (median) | rounds | failed | server CPU (cores) | CPU ms/flow | p99 flow ms | p99 bc-authorize ms | p99 token ms | peak RSS MiB |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const m of modes) {
  console.log(`| ${m.mode} | ${fmt(m.median_flows_per_second)} | ${m.rounds.map((r) => fmt(r, 0)).join(', ')} | ${m.failed} | ${fmt(m.median_server_cores, 2)} | ${fmt(m.median_cpu_ms_per_flow, 3)} | ${fmt(m.median_p99_flow_ms)} | ${fmt(m.median_p99_bc_authorize_ms)} | ${fmt(m.median_p99_token_ms)} | ${fmt(m.peak_rss_mib, 0)} |`);
}
console.log('');
for (const [mode, r] of Object.entries(ratios)) {
  console.log(`${mode} / plain: flows/s ${fmt(r.flows_per_second, 3)}, CPU ms per flow ${fmt(r.cpu_ms_per_flow, 3)}`);
}
console.log('');
const numbers = (o) => JSON.parse(JSON.stringify(o, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
writeFileSync(summaryPath, JSON.stringify(numbers({ alg, modes, ratios_to_plain: ratios }), null, 2) + '\n');
console.log(`summary written to ${summaryPath}`);

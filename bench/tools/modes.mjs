// Summarises bench/modes.sh: per delivery mode, the median over the rounds of flows/s, server CPU per flow and the
// p99 latencies. Usage: node modes.mjs <alg> <summary.json> poll=<run.json> ping=<run.json> push=<run.json> ...
import { writeFileSync } from 'node:fs';
import { fmt, groupReports, median, p99, summariseRounds } from './reports.mjs';

const [alg, summaryPath, ...runs] = process.argv.slice(2);
const modes = Object.entries(groupReports(runs)).map(([mode, reports]) => ({
  mode,
  ...summariseRounds(reports),
  median_p99_client_notification_ms: median(reports.map((r) => p99(r, 'client-notify'))),
}));

console.log(`\nBackchannel full flows by delivery mode, ${alg}, ${runs.length / Math.max(1, modes.length)} rounds (median)\n`);
console.log('| mode | flows/s (median) | rounds | failed | server CPU (cores) | CPU ms/flow | p99 flow ms | p99 bc-authorize ms | p99 ping/push ms | p99 token ms | peak RSS MiB |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const m of modes) {
  console.log(`| ${m.mode} | ${fmt(m.median_flows_per_second)} | ${m.rounds.map((r) => fmt(r, 0)).join(', ')} | ${m.failed} | ${fmt(m.median_server_cores, 2)} | ${fmt(m.median_cpu_ms_per_flow, 3)} | ${fmt(m.median_p99_flow_ms)} | ${fmt(m.median_p99_bc_authorize_ms)} | ${fmt(m.median_p99_client_notification_ms)} | ${fmt(m.median_p99_token_ms)} | ${fmt(m.peak_rss_mib, 0)} |`);
}
console.log('\n(p99 ping/push: from the device callback\'s answer to the notification\'s arrival at the client)\n');
writeFileSync(summaryPath, JSON.stringify({ alg, modes }, null, 2) + '\n');
console.log(`summary written to ${summaryPath}`);

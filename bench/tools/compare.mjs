// Summarises bench/run.sh: the median flows/s of each server over the rounds, and their ratio.
// Usage: node compare.mjs <alg> <summary.json> backchannel=<run.json> node-oidc-provider=<run.json> ...
import { writeFileSync } from 'node:fs';
import { fmt, groupReports, summariseRounds } from './reports.mjs';

const [alg, summaryPath, ...runs] = process.argv.slice(2);
const servers = Object.entries(groupReports(runs)).map(([server, reports]) => ({ server, ...summariseRounds(reports) }));

const ours = servers.find((s) => s.server === 'backchannel');
const peer = servers.find((s) => s.server === 'node-oidc-provider');
const ratio = ours && peer ? ours.median_flows_per_second / peer.median_flows_per_second : NaN;

console.log(`\nCIBA full flows, ${alg}, ${runs.length / Math.max(1, servers.length)} rounds (median)\n`);
console.log('| server | flows/s (median) | rounds | failed | server CPU (cores) | CPU ms/flow | p99 bc-authorize ms | p99 token ms | peak RSS MiB |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const s of servers) {
  console.log(`| ${s.server} | ${fmt(s.median_flows_per_second)} | ${s.rounds.map((r) => fmt(r, 0)).join(', ')} | ${s.failed} | ${fmt(s.median_server_cores, 2)} | ${fmt(s.median_cpu_ms_per_flow, 3)} | ${fmt(s.median_p99_bc_authorize_ms)} | ${fmt(s.median_p99_token_ms)} | ${fmt(s.peak_rss_mib, 0)} |`);
}
console.log(`\nmedian ratio backchannel / node-oidc-provider: ${fmt(ratio, 2)}x\n`);
writeFileSync(summaryPath, JSON.stringify({ alg, servers, ratio }, null, 2) + '\n');
console.log(`summary written to ${summaryPath}`);

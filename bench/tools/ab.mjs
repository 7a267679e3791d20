// Summarises bench/ab.sh: the median flows/s of the base and the current build over the rounds, and their ratio.
// Usage: node ab.mjs <alg> <summary.json> base=<run.json> current=<run.json> ...
import { writeFileSync } from 'node:fs';
import { fmt, groupReports, summariseRounds } from './reports.mjs';

const [alg, summaryPath, ...runs] = process.argv.slice(2);
const builds = Object.entries(groupReports(runs)).map(([build, reports]) => ({ build, ...summariseRounds(reports) }));
const base = builds.find((b) => b.build === 'base');
const current = builds.find((b) => b.build === 'current');
const ratio = base && current ? current.median_flows_per_second / base.median_flows_per_second : NaN;

console.log(`\nCIBA full flows, ${alg}, base against current build (median of rounds)\n`);
console.log('| build | flows/s (median) | rounds | failed | CPU ms/flow | p99 bc-authorize ms | p99 token ms | peak RSS MiB |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
for (const b of builds) {
  console.log(`| ${b.build} | ${fmt(b.median_flows_per_second)} | ${b.rounds.map((r) => fmt(r, 0)).join(', ')} | ${b.failed} | ${fmt(b.median_cpu_ms_per_flow, 3)} | ${fmt(b.median_p99_bc_authorize_ms)} | ${fmt(b.median_p99_token_ms)} | ${fmt(b.peak_rss_mib, 0)} |`);
}
console.log(`\ncurrent / base: ${fmt(ratio, 3)}\n`);
writeFileSync(summaryPath, JSON.stringify({ alg, builds, ratio }, null, 2) + '\n');
console.log(`summary written to ${summaryPath}`);

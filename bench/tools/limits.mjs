// Summarises bench/limits.sh against the performance targets.
// Usage: node limits.mjs <alg> <results-dir> <summary.json>
import { writeFileSync } from 'node:fs';
import { p99, readJson } from './reports.mjs';

const [alg, dir, summaryPath] = process.argv.slice(2);
const read = (name) => readJson(`${dir}/limits-${alg}-${name}.json`);
const max16 = read('max-c16'), max32 = read('max-c32'), rate80 = read('rate80'), polling = read('polling'), pending = read('pending100k'), restart = read('restart');
const best = [max16, max32].filter(Boolean).sort((a, b) => b.flows.per_second - a.flows.per_second)[0];

const rows = [
  ['maximum full flows/s', `${best?.flows.per_second ?? 'n/a'} (at ${best?.concurrency ?? '?'} concurrent flows; server ${((best?.server?.cpu_percent_of_one_core ?? NaN) / 100).toFixed(2)} cores, ${best?.server?.cpu_ms_per_flow ?? 'n/a'} ms CPU per flow)`, ''],
  ['load at 80% of the maximum', `${rate80?.flows.per_second ?? 'n/a'} flows/s`, ''],
  ['p99 bc-authorize at 80%', `${p99(rate80, 'bc-authorize')} ms`, p99(rate80, 'bc-authorize') < 20 ? 'met (< 20 ms)' : 'missed (target < 20 ms)'],
  ['p99 token at 80%', `${p99(rate80, 'token')} ms`, p99(rate80, 'token') < 20 ? 'met (< 20 ms)' : 'missed (target < 20 ms)'],
  ['10,000 pending polled every 5 s', `${polling?.polling?.polls_per_second ?? 'n/a'} polls/s, server ${polling?.server?.cpu_percent_of_one_core ?? 'n/a'}% of one core`,
    (polling?.server?.cpu_percent_of_one_core ?? 100) < 25 ? 'met (< 25%)' : 'missed (target < 25%)'],
  ['100,000 pending requests held', `peak RSS ${pending?.server?.peak_rss_mib ?? 'n/a'} MiB (${pending?.polling?.pending_created ?? '?'} created)`,
    (pending?.server?.peak_rss_mib ?? 1e9) < 400 ? 'met (< 400 MB)' : 'missed (target < 400 MB)'],
  ['ready after a restart with them', `${restart?.ready_after_restart_ms ?? 'n/a'} ms (process start to /health/ready)`,
    (restart?.ready_after_restart_ms ?? 1e9) < 2000 ? 'met (< 2 s)' : 'missed (target < 2 s)'],
];

console.log(`\nBackchannel limits, ${alg}\n`);
console.log('| measure | result | target |');
console.log('| --- | --- | --- |');
for (const [measure, result, target] of rows) console.log(`| ${measure} | ${result} | ${target} |`);
writeFileSync(summaryPath, JSON.stringify({ alg, rows: rows.map(([measure, result, target]) => ({ measure, result, target })) }, null, 2) + '\n');
console.log(`\nsummary written to ${summaryPath}`);

// Summarises bench/rsa-bound.sh: per round, Backchannel's flows per server core against the signing bound measured
// just before, and the median share. Usage: node bound.mjs <alg> <summary.json> <rates.json>=<run.json> ...
import { writeFileSync } from 'node:fs';
import { fmt, median, readJson, serverCores } from './reports.mjs';

const [alg, summaryPath, ...pairs] = process.argv.slice(2);
const bound = (rates) => (rates?.[alg] > 0 && rates?.ES256 > 0 ? 1 / (2 / rates[alg] + 1 / rates.ES256) : NaN);

const rounds = pairs.map((pair) => {
  const [ratesPath, runPath] = pair.split('=');
  const rates = readJson(ratesPath);
  const run = readJson(runPath);
  const flows = run?.flows?.per_second ?? NaN;
  const cores = serverCores(run);
  const perCore = flows / cores;
  const boundAll = bound(rates?.allCoresBusy);
  const boundOne = bound(rates?.oneThread);
  return {
    sign_per_sec_per_core_all_cores_busy: rates?.allCoresBusy?.[alg] ?? NaN,
    sign_per_sec_one_thread: rates?.oneThread?.[alg] ?? NaN,
    bound_flows_per_core_all_cores_busy: boundAll,
    bound_flows_per_core_one_thread: boundOne,
    flows_per_second: flows,
    failed: run?.flows?.failed ?? NaN,
    server_cores: cores,
    cpu_ms_per_flow: run?.server?.cpu_ms_per_flow ?? NaN,
    flows_per_server_core: perCore,
    share_of_bound_all_cores_busy: perCore / boundAll,
    share_of_bound_one_thread: perCore / boundOne,
  };
});

const pct = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : 'n/a');

console.log(`\n${alg} full flows against the signing bound, measured in the same minutes\n`);
console.log(`| round | ${alg} sign/s/core, all cores busy | bound flows/s/core | ${alg} sign/s, one thread | bound flows/s/core | flows/s | failed | server cores | CPU ms/flow | flows/s per server core | share of bound (all busy) | share of bound (one thread) |`);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
rounds.forEach((r, i) => {
  console.log(`| ${i + 1} | ${fmt(r.sign_per_sec_per_core_all_cores_busy, 0)} | ${fmt(r.bound_flows_per_core_all_cores_busy, 0)} | ${fmt(r.sign_per_sec_one_thread, 0)} | ${fmt(r.bound_flows_per_core_one_thread, 0)} | ${fmt(r.flows_per_second, 1)} | ${r.failed} | ${fmt(r.server_cores, 2)} | ${fmt(r.cpu_ms_per_flow, 3)} | ${fmt(r.flows_per_server_core, 0)} | ${pct(r.share_of_bound_all_cores_busy)} | ${pct(r.share_of_bound_one_thread)} |`);
});
const shareAll = median(rounds.map((r) => r.share_of_bound_all_cores_busy));
const shareOne = median(rounds.map((r) => r.share_of_bound_one_thread));
console.log(`\nmedian share of the bound: ${pct(shareAll)} (all cores busy), ${pct(shareOne)} (one thread)`);
console.log('bound per core = 1 / (2 / sign(alg) + 1 / sign(ES256)): an ID token and an access token, and the ES256 callback token\n');
writeFileSync(summaryPath, JSON.stringify({ alg, rounds, median_share_all_cores_busy: shareAll, median_share_one_thread: shareOne }, null, 2) + '\n');
console.log(`summary written to ${summaryPath}`);

// Summarises bench/postgres.sh and bench/nodes.sh: the load generator's reports with, for each, the window file
// lib.sh's loadgen_window wrote beside it (<run>-window.json: the CPU seconds of each process over the measured window,
// and the statements and TCP segments PostgreSQL received in it).
// Usage: node scaleout.mjs postgres <alg> <summary.json> sqlite=<run.json> postgres=<run.json> ...
//        node scaleout.mjs nodes <alg> <summary.json> <run.json> ...      (NODE_CORES, DB_CORES, LB_CORES: the model's machines)
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fmt, median, p99, readJson } from './reports.mjs';

const [command, alg, summaryPath, ...specs] = process.argv.slice(2);
const windowOf = (path) => readJson(path.replace(/\.json$/, '-window.json'));
const STEPS = ['bc-authorize', 'notification', 'callback', 'token'];
// What Npgsql sends when a pooled connection that has prepared statements is next used (its reset on close, instead of
// DISCARD ALL, which would drop them): it goes in the same write as the next statement, so it costs the server some work
// but no round trip of its own.
const NPGSQL_RESET = new Set(['DISCARD ALL', 'DISCARD SEQUENCES', 'DISCARD TEMP', 'UNLISTEN *', 'SELECT pg_advisory_unlock_all()',
  'SET SESSION AUTHORIZATION DEFAULT', 'CLOSE ALL', 'RESET ALL']);
const isReset = (s) => NPGSQL_RESET.has(s.query.trim());

/** The per-flow figures of one round: the report, its window, and what the two give per completed flow. */
function round(path) {
  const report = readJson(path);
  const window = windowOf(path);
  const flows = report?.flows?.completed ?? NaN;
  const perFlow = (v) => (Number.isFinite(v) && flows > 0 ? v / flows : NaN);
  const requests = (name) => report?.endpoints?.find((e) => e.name === name)?.requests ?? 0;
  const cpu = Object.fromEntries(Object.entries(window?.cpu_seconds ?? {}).map(([k, v]) => [k, v]));
  const statements = window?.pg_statements ?? null;
  const calls = statements ? statements.reduce((sum, s) => sum + s.calls, 0) : NaN;
  const resetCalls = statements ? statements.filter(isReset).reduce((sum, s) => sum + s.calls, 0) : NaN;
  const answers = report?.token_responses ?? {};
  return {
    path,
    report,
    window,
    flows,
    flows_per_second: report?.flows?.per_second ?? NaN,
    failed: report?.flows?.failed ?? 0,
    window_seconds: window?.seconds ?? NaN,
    cpu_seconds: cpu,
    cpu_ms_per_flow: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, perFlow(v * 1000)])),
    // bc-authorize, the device notification, the callback, every token request (the polls among them), any ping/push
    http_exchanges_per_flow: perFlow(STEPS.concat('client-notify').reduce((sum, name) => sum + requests(name), 0)),
    polls_per_flow: perFlow((answers.authorization_pending ?? 0) + (answers.slow_down ?? 0)),
    statements_per_flow: perFlow(calls),
    reset_statements_per_flow: perFlow(resetCalls),
    product_statements_per_flow: perFlow(calls - resetCalls),
    tcp_round_trips_per_flow: perFlow(window?.pg_tcp_segments_in ?? NaN),
    statements,
    p99_ms: Object.fromEntries([['flow', report?.flows?.latency_ms?.p99 ?? NaN], ...STEPS.map((s) => [s, p99(report, s)])]),
  };
}

/** Medians over rounds of each per-round figure (nested one level: cpu_ms_per_flow.backchannel, ...). */
function medians(rounds) {
  const pick = (f) => median(rounds.map(f));
  const keys = (field) => [...new Set(rounds.flatMap((r) => Object.keys(r[field] ?? {})))];
  const nested = (field) => Object.fromEntries(keys(field).map((k) => [k, pick((r) => r[field]?.[k])]));
  return {
    rounds: rounds.map((r) => r.flows_per_second),
    failed: rounds.reduce((sum, r) => sum + r.failed, 0),
    flows_per_second: pick((r) => r.flows_per_second),
    window_seconds: pick((r) => r.window_seconds),
    cpu_seconds: nested('cpu_seconds'),
    cpu_ms_per_flow: nested('cpu_ms_per_flow'),
    http_exchanges_per_flow: pick((r) => r.http_exchanges_per_flow),
    polls_per_flow: pick((r) => r.polls_per_flow),
    statements_per_flow: pick((r) => r.statements_per_flow),
    reset_statements_per_flow: pick((r) => r.reset_statements_per_flow),
    product_statements_per_flow: pick((r) => r.product_statements_per_flow),
    tcp_round_trips_per_flow: pick((r) => r.tcp_round_trips_per_flow),
    p99_ms: nested('p99_ms'),
  };
}

/** Each statement's calls, rows and execution time per flow, summed over the rounds: the most called first. */
function statementBreakdown(rounds) {
  const byQuery = new Map();
  let flows = 0;
  for (const r of rounds) {
    if (!r.statements || !(r.flows > 0)) continue;
    flows += r.flows;
    for (const s of r.statements) {
      const entry = byQuery.get(s.query) ?? { query: s.query, calls: 0, rows: 0, exec_ms: 0 };
      entry.calls += s.calls;
      entry.rows += s.rows;
      entry.exec_ms += Number(s.exec_ms);
      byQuery.set(s.query, entry);
    }
  }
  return [...byQuery.values()]
    .map((e) => ({ calls_per_flow: e.calls / flows, rows_per_flow: e.rows / flows, exec_ms_per_flow: e.exec_ms / flows, query: e.query }))
    .sort((a, b) => b.calls_per_flow - a.calls_per_flow);
}

/** A statement on one table row: long column lists elided (the summary JSON keeps the full text), then cut. */
/** "7 statements, 5.15 times per flow": the reset's statements and how often a flow's work took a pooled connection again. */
function resetShape(breakdown) {
  const reset = breakdown.filter(isReset);
  const uses = Math.max(0, ...reset.map((s) => s.calls_per_flow));
  const each = reset.filter((s) => s.calls_per_flow >= uses / 2).length;
  return `${each} statements, ${fmt(uses, 2)} times per flow: each time a connection is taken from the pool again`;
}

const shorten = (text, length = 150) => {
  const compact = text
    .replace(/SELECT ([^()]{40,}?) FROM/g, 'SELECT … FROM')
    .replace(/RETURNING ([^()]{40,}?)(\)|$)/g, 'RETURNING …$2')
    .replace(/\(([a-z_, ]{40,}?)\) (VALUES|SELECT)/g, '(…) $2')
    .replace(/(VALUES \(|SELECT )(\$\d+, ){3,}\$\d+/g, '$1…');
  return (compact.length > length ? compact.slice(0, length - 1) + '…' : compact).replaceAll('|', '\\|');
};

function printStatements(breakdown) {
  console.log('| calls/flow | rows/flow | exec ms/flow | statement |');
  console.log('| ---: | ---: | ---: | --- |');
  for (const s of breakdown.filter((s) => s.calls_per_flow >= 0.005)) {
    console.log(`| ${fmt(s.calls_per_flow, 3)} | ${fmt(s.rows_per_flow, 3)} | ${fmt(s.exec_ms_per_flow, 4)} | ${shorten(s.query)} |`);
  }
  const rare = breakdown.filter((s) => s.calls_per_flow < 0.005);
  if (rare.length) console.log(`| ${fmt(rare.reduce((sum, s) => sum + s.calls_per_flow, 0), 3)} | | | (${rare.length} statements under 0.005 per flow: health checks, the outbox's idle claims, ...) |`);
}

function postgres() {
  const groups = {};
  for (const spec of specs) {
    const [engine, path] = spec.split('=');
    (groups[engine] ??= []).push(round(path));
  }
  const engines = Object.entries(groups).map(([engine, rounds]) => ({ engine, ...medians(rounds) }));
  const sqlite = engines.find((e) => e.engine === 'sqlite');
  const pg = engines.find((e) => e.engine === 'postgres');
  const ratio = sqlite && pg ? pg.flows_per_second / sqlite.flows_per_second : NaN;
  const breakdown = statementBreakdown(groups.postgres ?? []);
  const perExchange = pg ? pg.product_statements_per_flow / pg.http_exchanges_per_flow : NaN;
  const tcpPerExchange = pg ? pg.tcp_round_trips_per_flow / pg.http_exchanges_per_flow : NaN;
  const roundsRun = Math.max(...engines.map((e) => e.rounds.length));

  console.log(`\nBackchannel full flows (poll), ${alg}, SQLite and PostgreSQL stores alternately, ${roundsRun} rounds (median)\n`);
  console.log('| store | flows/s (median) | rounds | failed | Backchannel CPU ms/flow | PostgreSQL CPU ms/flow | both | load generator CPU ms/flow | p99 flow ms | p99 bc-authorize ms | p99 callback ms | p99 token ms |');
  console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const e of engines) {
    const own = e.cpu_ms_per_flow.backchannel;
    const db = e.engine === 'postgres' ? e.cpu_ms_per_flow.postgres : NaN;
    const both = e.engine === 'postgres' ? own + db : own;
    console.log(`| ${e.engine} | ${fmt(e.flows_per_second)} | ${e.rounds.map((r) => fmt(r, 0)).join(', ')} | ${e.failed} | ${fmt(own, 3)} | ${e.engine === 'postgres' ? fmt(db, 3) : '(in process)'} | ${fmt(both, 3)} | ${fmt(e.cpu_ms_per_flow.loadgen, 3)} | ${fmt(e.p99_ms.flow)} | ${fmt(e.p99_ms['bc-authorize'])} | ${fmt(e.p99_ms.callback)} | ${fmt(e.p99_ms.token)} |`);
  }
  console.log(`\nPostgreSQL / SQLite flows/s: ${fmt(ratio * 100, 0)}% (target >= 60%: ${Number.isFinite(ratio) ? (ratio >= 0.6 ? 'met' : 'NOT met') : 'n/a'})`);
  if (pg) {
    console.log(`HTTP exchanges per flow: ${fmt(pg.http_exchanges_per_flow, 2)} (bc-authorize, device notification, callback, token; polls among the token requests: ${fmt(pg.polls_per_flow, 3)} per flow)`);
    console.log(`Database round trips per flow (PostgreSQL): ${fmt(pg.tcp_round_trips_per_flow, 2)} client writes (TCP data segments the server received in the window, / flows completed in it),` +
      ` for ${fmt(pg.product_statements_per_flow, 2)} of the product's statements (pg_stat_statements calls over the measured window, reset as it opens): the flow's statements go in commit groups,` +
      ` those of concurrent requests in one batch, one round trip and one commit (PostgresCommitGroups); a statement is at most one round trip.`);
    console.log(`  pg_stat_statements counted ${fmt(pg.statements_per_flow, 2)} statements per flow in all: the rest, ${fmt(pg.reset_statements_per_flow, 2)}, are Npgsql's reset of a pooled connection` +
      ` (${resetShape(breakdown)}), sent in the same write as the next statement: no round trip of their own.`);
    console.log(`Round trips per HTTP exchange: ${fmt(tcpPerExchange, 2)} by client writes, at most ${fmt(perExchange, 2)} by statements (target <= 1: ${Number.isFinite(perExchange) ? (perExchange <= 1 ? 'met' : 'NOT met') : 'n/a'}; both include the outbox's background work and the health checks)`);
    console.log('\nStatements per flow, over the PostgreSQL rounds\n');
    printStatements(breakdown);
  }
  writeFileSync(summaryPath, JSON.stringify({
    alg,
    engines,
    ratio_postgres_to_sqlite: ratio,
    target_ratio: 0.6,
    round_trips_per_flow: pg ? {
      product_statements: pg.product_statements_per_flow,
      tcp_client_writes: pg.tcp_round_trips_per_flow,
      all_statements: pg.statements_per_flow,
      npgsql_reset_statements: pg.reset_statements_per_flow,
    } : null,
    http_exchanges_per_flow: pg?.http_exchanges_per_flow ?? NaN,
    round_trips_per_http_exchange: { statements: perExchange, tcp_client_writes: tcpPerExchange },
    statements: breakdown,
  }, null, 2) + '\n');
  console.log(`\nsummary written to ${summaryPath}`);
}

function nodes() {
  const rounds = specs.map(round);
  const m = medians(rounds);
  const cores = availableParallelism();
  const nodeCores = Number(process.env.NODE_CORES ?? cores);
  const dbCores = Number(process.env.DB_CORES ?? cores);
  const lbCores = Number(process.env.LB_CORES ?? cores);
  const ms = m.cpu_ms_per_flow;
  const processes = [
    ['node1', 'node 1 (:5100)'],
    ['node2', 'node 2 (:5102)'],
    ['haproxy', 'haproxy (:5110)'],
    ['postgres', 'PostgreSQL (all its processes)'],
    ['loadgen', 'load generator (clients and device service)'],
  ];
  const totalSeconds = processes.reduce((sum, [k]) => sum + (m.cpu_seconds[k] ?? 0), 0);
  const totalMs = processes.reduce((sum, [k]) => sum + (ms[k] ?? 0), 0);

  console.log(`\nTwo Backchannel nodes behind haproxy (round robin) on one PostgreSQL, ${alg} full flows (poll), ${rounds.length} round(s)${rounds.length > 1 ? ' (median)' : ''}\n`);
  console.log(`flows/s: ${fmt(m.flows_per_second)} (rounds ${m.rounds.map((r) => fmt(r, 0)).join(', ')}), failed: ${m.failed}, measured window ${fmt(m.window_seconds, 1)} s`);
  console.log(`p99 ms: flow ${fmt(m.p99_ms.flow)}, ${STEPS.map((s) => `${s} ${fmt(m.p99_ms[s])}`).join(', ')}`);
  console.log(`HTTP exchanges per flow: ${fmt(m.http_exchanges_per_flow, 2)}; database round trips per flow: ${fmt(m.product_statements_per_flow, 2)} statements` +
    ` (plus ${fmt(m.reset_statements_per_flow, 2)} of Npgsql's connection reset, pipelined), ${fmt(m.tcp_round_trips_per_flow, 2)} client writes\n`);
  console.log(`| process | CPU s in the window | cores busy | CPU ms/flow |`);
  console.log('| --- | ---: | ---: | ---: |');
  for (const [key, label] of processes) {
    console.log(`| ${label} | ${fmt(m.cpu_seconds[key], 2)} | ${fmt(m.cpu_seconds[key] / m.window_seconds, 2)} | ${fmt(ms[key], 3)} |`);
  }
  console.log(`| all of them (this machine: ${cores} cores) | ${fmt(totalSeconds, 2)} | ${fmt(totalSeconds / m.window_seconds, 2)} | ${fmt(totalMs, 3)} |`);

  const nodeMs = (ms.node1 ?? 0) + (ms.node2 ?? 0);
  const dbMs = ms.postgres;
  const lbMs = ms.haproxy;
  const perNodeMachine = (nodeCores * 1000) / nodeMs;
  const dbBound = (dbCores * 1000) / dbMs;
  const lbBound = (lbCores * 1000) / lbMs;
  console.log(`\nPer-flow CPU cost: a flow's work on the nodes ${fmt(nodeMs, 3)} ms (node 1 + node 2: each flow is served by both, round robin),` +
    ` PostgreSQL ${fmt(dbMs, 3)} ms, haproxy ${fmt(lbMs, 3)} ms (the load generator's ${fmt(ms.loadgen, 3)} ms is the clients', not the deployment's).`);
  console.log(`\nScaling model: CPU is the only limit and each part's CPU per flow stays what it is here. A node core then serves` +
    ` 1000 / ${fmt(nodeMs, 3)} = ${fmt(1000 / nodeMs, 0)} flows/s, so N node machines of ${nodeCores} cores serve N x ${fmt(perNodeMachine, 0)} flows/s;` +
    ` the one database machine (${dbCores} cores) bounds the total at ${dbCores} x 1000 / ${fmt(dbMs, 3)} = ${fmt(dbBound, 0)} flows/s,` +
    ` the balancer (${lbCores} cores) at ${fmt(lbBound, 0)}. flows/s(N) = min(N x ${fmt(perNodeMachine, 0)}, ${fmt(dbBound, 0)}, ${fmt(lbBound, 0)}).` +
    ` Not modelled: the database's disk (WAL flushes; group commit here), connection counts, and lock waits: a row that` +
    ` every flow updates (a per-client counter, say) serializes those flows behind each commit whatever N is (the statement` +
    ` table below shows such waits as execution ms per flow far above the CPU's);` +
    ` network latency (it adds to latency, not to CPU). The costs were measured with every process sharing ${cores} cores` +
    ` (over loopback), which inflates them somewhat; NODE_CORES, DB_CORES and LB_CORES set the machines of the model.\n`);
  console.log('| nodes | node machines | database bound | balancer bound | flows/s | limited by |');
  console.log('| ---: | ---: | ---: | ---: | ---: | --- |');
  const scaling = [1, 2, 4, 8, 16, 32].map((n) => {
    const nodesRate = n * perNodeMachine;
    const flows = Math.min(nodesRate, dbBound, lbBound);
    const limit = flows === nodesRate ? 'the nodes' : flows === dbBound ? 'the database' : 'the balancer';
    console.log(`| ${n} | ${fmt(nodesRate, 0)} | ${fmt(dbBound, 0)} | ${fmt(lbBound, 0)} | ${fmt(flows, 0)} | ${limit} |`);
    return { nodes: n, node_machines_flows_per_second: nodesRate, flows_per_second: flows, limited_by: limit };
  });
  const crossover = dbBound / perNodeMachine;
  console.log(`\nThe database becomes the limit from ${fmt(crossover, 1)} nodes on; a larger database machine moves that point up in proportion to its cores.`);
  console.log('\nStatements per flow (both nodes)\n');
  printStatements(statementBreakdown(rounds));
  console.log('');

  writeFileSync(summaryPath, JSON.stringify({
    alg,
    rounds: rounds.length,
    ...m,
    machine_cores: cores,
    per_flow_cpu_ms: { nodes: nodeMs, postgres: dbMs, haproxy: lbMs, loadgen: ms.loadgen },
    model: {
      statement: 'CPU is the only limit; per-flow CPU costs as measured here; flows/s(N) = min(N * node_cores * 1000 / node_ms, db_cores * 1000 / db_ms, lb_cores * 1000 / lb_ms)',
      node_cores: nodeCores, db_cores: dbCores, lb_cores: lbCores,
      flows_per_second_per_node_core: 1000 / nodeMs,
      flows_per_second_per_node_machine: perNodeMachine,
      database_bound: dbBound,
      balancer_bound: lbBound,
      database_limits_from_nodes: crossover,
      scaling,
    },
    statements: statementBreakdown(rounds),
  }, null, 2) + '\n');
  console.log(`summary written to ${summaryPath}`);
}

if (command === 'postgres') postgres();
else if (command === 'nodes') nodes();
else {
  console.error('usage: node scaleout.mjs postgres|nodes <alg> <summary.json> ...');
  process.exit(2);
}

// The CLI's own component (`truthound-kestra component`), transpiled by jco, embedded in Node:
// a check over Arrow IPC made by the apache-arrow package gives the CLI's counts on the same
// data, and the flow generators give the CLI's YAML.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Float64, Int64, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { _setEnv } from '@bytecodealliance/preview2-shim/cli';
import { _clearPreopens } from '@bytecodealliance/preview2-shim/filesystem';
import { RULE_PRESETS } from '../flow-document.js';
import { cliCheck, cliCounts, runCli, tempDir } from './support.mjs';

// jco's Node shim is no sandbox: it passes the process environment and may open files.
// Lock it down before the engine runs.
_setEnv({});
_clearPreopens();
const engine = await import('../gen/engine/engine.js');

const ROWS = 240;
const STATUSES = ['pending', 'shipped', 'delivered'];
const ids = Array.from({ length: ROWS }, (_, i) => BigInt(i === 7 ? 3 : i));
const emails = ids.map((_, i) => (i % 20 === 0 ? null : i % 33 === 0 ? `user${i}-at-example.com` : `user${i}@example.com`));
const amounts = ids.map((_, i) => (i % 45 === 0 ? null : ((i * 37) % 500) - 12.5));
const statuses = ids.map((_, i) => (i % 50 === 0 ? 'lost' : STATUSES[i % 3]));
const table = new Table({
  id: vectorFromArray(ids, new Int64()),
  email: vectorFromArray(emails, new Utf8()),
  amount: vectorFromArray(amounts, new Float64()),
  status: vectorFromArray(statuses, new Utf8()),
});

const RULES = `name: orders
rules:
  - {type: row_count, min: 1}
  - {type: not_null, column: id}
  - {type: unique, column: id}
  - {type: not_null, column: email, severity: warning}
  - {type: email, column: email}
  - {type: in_range, column: amount, min: 0}
  - {type: in_set, column: status, values: [pending, shipped, delivered], severity: warning}
`;
const CHECK_OPTIONS = { sampleFailures: 100, minSeverity: 'low', shardCount: 1, shardIndex: 0, ruleFormat: 'truthound' };

/** The counts of the component's check result, in the shape of `cliCounts`. */
function engineCounts(result) {
  return {
    status: result.status,
    passed: result.passedCount,
    failed: result.failedCount,
    warnings: result.warningCount,
    rows: Number(result.rowCount),
    rules: result.ruleResults.map((rule) => ({
      name: rule.name,
      status: rule.status,
      unexpected: Number(rule.unexpectedCount),
      evaluated: Number(rule.evaluatedCount),
    })),
  };
}

test('the engine sees no file and no environment variable', () => {
  const report = engine.diagnostics.probeSandbox('/etc/passwd');
  assert.equal(report.fileRead.tag, 'err');
  assert.deepEqual(report.environmentVariables, []);
});

test('a check over apache-arrow IPC, fed in two batches, counts what the data holds and what the CLI counts', () => {
  const checker = engine.check.Checker.create(RULES, CHECK_OPTIONS);
  checker.feed(tableToIPC(table.slice(0, 100), 'stream'));
  checker.feed(tableToIPC(table.slice(100), 'stream'));
  const counts = engineCounts(checker.finish());

  // What the data was made to hold.
  const unexpected = Object.fromEntries(counts.rules.map((rule) => [rule.name, rule.unexpected]));
  assert.equal(counts.rows, ROWS);
  assert.equal(unexpected['unique(id)'], 2, 'id 3 appears twice');
  assert.equal(unexpected['not_null(email)'], emails.filter((e) => e === null).length);
  assert.equal(unexpected['email(email)'], emails.filter((e) => e?.includes('-at-')).length);
  assert.equal(unexpected['in_range(amount)'], amounts.filter((a) => a !== null && a < 0).length);
  assert.equal(unexpected['in_set(status)'], statuses.filter((s) => s === 'lost').length);
  assert.equal(counts.status, 'failed');

  // The CLI on the same rows: the whole table as one Arrow IPC stream file.
  const file = join(tempDir(), 'orders.arrows');
  writeFileSync(file, tableToIPC(table, 'stream'));
  assert.deepEqual(counts, cliCounts(cliCheck(file, RULES)));
});

test("every rule preset of the page is a rule document the engine takes", () => {
  for (const [name, rules] of Object.entries(RULE_PRESETS)) {
    assert.doesNotThrow(() => engine.check.Checker.create(rules, CHECK_OPTIONS), name);
    assert.ok(engine.check.Checker.create(rules, CHECK_OPTIONS).requiredColumns().length > 0, name);
  }
});

test('a rule about a missing column is a quality-error naming it', () => {
  const checker = engine.check.Checker.create('rules:\n  - {type: not_null, column: missing}\n', CHECK_OPTIONS);
  assert.throws(
    () => {
      checker.feed(tableToIPC(table, 'stream'));
      checker.finish();
    },
    (error) => error.payload?.kind === 'unknown-column' && /missing/.test(error.payload.message),
  );
});

test('every flow generator gives the YAML of `flow generate`, and the validator accepts it', () => {
  const dir = tempDir();
  const documents = {
    check: { flow_id: 'orders_check', namespace: 'acme.quality', rules: RULES, schedule: '0 6 * * *' },
    profile: { flow_id: 'orders_profile', input_uri: 's3://acme/orders.parquet', task_runner: 'process' },
    learn: { flow_id: 'orders_learn', min_confidence: 0.9, retry: { max_attempts: 2, policy: 'constant' } },
    pipeline: { flow_id: 'orders_pipeline', include_learn: true, timezone: 'UTC', schedule: '@daily' },
  };
  for (const [kind, document] of Object.entries(documents)) {
    const yaml = engine.flows.generate(kind, JSON.stringify(document));
    const config = join(dir, `${kind}.json`);
    writeFileSync(config, JSON.stringify(document));
    const cli = runCli(['flow', 'generate', kind, '--config', config]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(yaml, cli.stdout, kind);
    assert.match(yaml, new RegExp(`^id: ${document.flow_id}$`, 'm'));
    assert.deepEqual(engine.flowLint.validateFlow(yaml), [], kind);
  }
});

test('a flow id Kestra rejects is an options error naming the field', () => {
  assert.throws(
    () => engine.flows.generate('profile', JSON.stringify({ flow_id: 'orders daily' })),
    (error) => error.payload?.kind === 'options' && error.payload.message.startsWith('flow_id'),
  );
  assert.equal(engine.flows.isValidId('orders daily', 'flow'), false);
  assert.equal(engine.flows.sanitizeId('orders daily', 'flow'), 'orders_daily');
});

// The page in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): fill the
// form, check the YAML (also with the CLI's `flow validate`), drop files, compare the check with
// the CLI's on the same file and rules, and save a screenshot.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';
import { RULE_PRESETS } from '../flow-document.js';
import { artifactsDir, cliCheck, cliCounts, repoRoot, runCli, tempDir, webDir } from './support.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ORDERS_CSV = join(repoRoot, 'examples', 'orders.csv');
const ORDERS_PARQUET = join(webDir, 'test', 'fixtures', 'orders.parquet');
const ORDERS_ZSTD_PARQUET = join(webDir, 'test', 'fixtures', 'orders.zstd.parquet');

let server;
let browser;
let page;

before(async () => {
  server = await serve(webDir);
  browser = await chromium.launch({ executablePath: CHROMIUM });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1100 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  const started = Date.now();
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  assert.deepEqual(errors, []);
  const bytes = [...server.sent.values()].reduce((sum, n) => sum + n, 0);
  console.log(`page ready in ${Date.now() - started} ms; transferred ${(bytes / 1024).toFixed(0)} KiB (gzip):`);
  for (const [path, n] of server.sent) console.log(`  ${path} ${(n / 1024).toFixed(1)} KiB`);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The page's check result: its summary line and, per rule, what the table shows. */
async function shownResult() {
  return page.evaluate(() => {
    const rows = [...document.querySelectorAll('#check-result tbody tr')].map((row) => {
      const [name, status, unexpected, evaluated] = [...row.cells].map((cell) => cell.textContent);
      return { name, status, unexpected: Number(unexpected), evaluated: Number(evaluated) };
    });
    return { summary: document.querySelector('#check-result .summary')?.textContent ?? '', rows };
  });
}

/** Asserts that the page shows the CLI's result of `file` checked with `rules`. */
async function assertShowsCliResult(file, rules) {
  const expected = cliCounts(cliCheck(file, rules));
  const shown = await shownResult();
  assert.deepEqual(shown.rows, expected.rules);
  const summary = `${expected.status} — ${expected.passed} passed, ${expected.failed} failed, ${expected.warnings} warnings, ${expected.rows} rows`;
  assert.ok(shown.summary.endsWith(summary), `${shown.summary} should end with ${summary}`);
}

test('the form generates a check flow that the offline validator and the CLI accept', async () => {
  await page.selectOption('select[name=kind]', 'check');
  await page.fill('input[name=flow_id]', 'orders_daily');
  await page.fill('input[name=namespace]', 'acme.quality');
  await page.fill('input[name=input_uri]', 's3://acme-data/orders.csv');
  await page.click('button[data-preset=orders]');
  await page.fill('input[name=schedule]', '0 6 * * *');
  await page.fill('input[name=timezone]', 'Europe/Berlin');
  await page.selectOption('select[name=retry_policy]', 'constant');
  await page.fill('input[name=retry_attempts]', '4');
  await page.fill('input[name=retry_interval]', '45');
  await page.selectOption('select[name=task_runner]', 'process');

  const yaml = await page.textContent('#yaml');
  assert.match(yaml, /^id: orders_daily$/m);
  assert.match(yaml, /^namespace: acme\.quality$/m);
  assert.match(yaml, /cron: "0 6 \* \* \*"/);
  assert.match(yaml, /timezone: Europe\/Berlin/);
  assert.match(yaml, /type: constant/);
  assert.match(yaml, /maxAttempt: 4/);
  assert.match(yaml, /interval: PT45S/);
  assert.match(yaml, /io\.kestra\.plugin\.core\.runner\.Process/);
  assert.doesNotMatch(yaml, /containerImage/);
  assert.match(yaml, /s3:\/\/acme-data\/orders\.csv/);
  assert.match(yaml, /type: in_set, column: status/);
  assert.equal(await page.textContent('#findings'), 'No problems: Kestra 0.20 to 1.x accepts this flow.');

  // Download saves the YAML shown, named after the flow; the CLI's validator accepts it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.equal(download.suggestedFilename(), 'orders_daily.yml');
  const file = join(tempDir(), 'orders_daily.yml');
  await download.saveAs(file);
  assert.equal(readFileSync(file, 'utf8'), yaml);
  const validated = runCli(['flow', 'validate', file]);
  assert.equal(validated.code, 0, validated.stdout + validated.stderr);

  await page.click('#copy');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), yaml);
});

test('every generator gives a flow the CLI validates, and findings follow the form as you type', async () => {
  for (const kind of ['profile', 'learn', 'pipeline']) {
    await page.selectOption('select[name=kind]', kind);
    if (kind === 'pipeline') await page.check('input[name=include_learn]');
    const yaml = await page.textContent('#yaml');
    assert.match(yaml, /^id: orders_daily$/m, kind);
    const file = join(tempDir(), `${kind}.yml`);
    writeFileSync(file, yaml);
    const validated = runCli(['flow', 'validate', file]);
    assert.equal(validated.code, 0, `${kind}: ${validated.stdout}${validated.stderr}`);
  }
  assert.match(await page.textContent('#yaml'), /^\s+id: learn$/m, 'the pipeline learns when asked to');

  // A flow id Kestra rejects is reported next to the YAML at once.
  await page.fill('input[name=flow_id]', 'orders daily');
  assert.match(await page.textContent('#findings'), /error.*flow_id/);
  await page.fill('input[name=flow_id]', 'orders_daily');
  await page.selectOption('select[name=kind]', 'check');
  assert.match(await page.textContent('#findings'), /No problems/);
});

test('a dropped CSV file is checked in the page with the CLI counts', async () => {
  const bytes = readFileSync(ORDERS_CSV).toString('base64');
  // A real drop: a DataTransfer holding the file, dispatched on the drop zone.
  const dataTransfer = await page.evaluateHandle((base64) => {
    const transfer = new DataTransfer();
    const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    transfer.items.add(new File([data], 'orders.csv', { type: 'text/csv' }));
    return transfer;
  }, bytes);
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
  await page.waitForSelector('#check-result table');
  await assertShowsCliResult(ORDERS_CSV, RULE_PRESETS.orders);
  assert.match((await shownResult()).summary, /^orders\.csv: warning/);
});

test('editing the rules re-checks the file; a Parquet file gives the CLI counts too', async () => {
  const rules = `rules:\n  - {type: not_null, column: email}\n  - {type: in_range, column: amount, max: 400}\n`;
  await page.fill('textarea[name=rules]', rules);
  await page.waitForFunction(() => document.querySelectorAll('#check-result tbody tr').length === 2);
  await assertShowsCliResult(ORDERS_CSV, rules);
  assert.match((await shownResult()).summary, /failed/);

  await page.click('button[data-preset=orders]');
  await page.setInputFiles('#data-file', ORDERS_PARQUET);
  await page.waitForFunction(() => document.querySelector('#check-result .summary')?.textContent.startsWith('orders.parquet'));
  await assertShowsCliResult(ORDERS_PARQUET, RULE_PRESETS.orders);
  await page.screenshot({ path: join(artifactsDir(), 'web-page.png'), fullPage: true });
});

test('the engine in the page reaches no file and no environment variable', async () => {
  const report = await page.evaluate(async () => {
    const engine = await import('./gen/browser/engine.js');
    const { fileRead, environmentVariables } = engine.diagnostics.probeSandbox('/etc/passwd');
    return { fileRead: fileRead.tag, environmentVariables };
  });
  assert.deepEqual(report, { fileRead: 'err', environmentVariables: [] });
});

test('a file that cannot be read gets a clear message, not a broken page', async () => {
  await page.setInputFiles('#data-file', { name: 'broken.parquet', mimeType: 'application/octet-stream', buffer: Buffer.from('PAR1 not really') });
  await page.waitForFunction(() => document.querySelector('#check-result .summary')?.textContent.startsWith('broken.parquet'));
  assert.match(await page.textContent('#check-result .summary'), /^broken\.parquet: not a readable Parquet file/);

  // zstd pages (polars' default) are named as the reason, with a way out; the CLI reads them.
  await page.setInputFiles('#data-file', ORDERS_ZSTD_PARQUET);
  await page.waitForFunction(() => document.querySelector('#check-result .summary')?.textContent.startsWith('orders.zstd'));
  assert.match(await page.textContent('#check-result .summary'), /column "order_id" is zstd-compressed.*snappy/);
  assert.equal(cliCheck(ORDERS_ZSTD_PARQUET, RULE_PRESETS.orders).total_rows, 20);
});

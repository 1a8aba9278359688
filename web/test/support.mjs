// Helpers of the JavaScript tests: where things are, and the CLI run on the same data.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The web/ directory. */
export const webDir = dirname(dirname(fileURLToPath(import.meta.url)));
/** The repository's root. */
export const repoRoot = dirname(webDir);
const targetDir = process.env.CARGO_TARGET_DIR ?? join(repoRoot, 'target');
/** The release binary the tests compare with (web/build uses the same one). */
export const binary = process.env.TRUTHOUND_BIN ?? join(targetDir, 'release', 'truthound-kestra');

/** A directory for what tests leave for people to look at (screenshots). */
export function artifactsDir() {
  const dir = join(targetDir, 'web-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A fresh temporary directory. */
export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'truthound-web-'));
}

/** Runs the CLI; returns its exit code, stdout and stderr. */
export function runCli(args) {
  const run = spawnSync(binary, args, { encoding: 'utf8' });
  if (run.error) throw run.error;
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `truthound-kestra check <data> --rules <rules>`: the JSON report's `result`. */
export function cliCheck(data, rules) {
  const dir = tempDir();
  writeFileSync(join(dir, 'rules.yaml'), rules);
  const report = join(dir, 'report.json');
  const run = runCli(['check', data, '--rules', join(dir, 'rules.yaml'), '-o', report]);
  if (run.code !== 0 && run.code !== 1) throw new Error(`the CLI failed (${run.code}): ${run.stderr}`);
  return JSON.parse(readFileSync(report, 'utf8')).result;
}

/** The counts of a CLI report's `result`: the summary and, per rule, its outcome. */
export function cliCounts(result) {
  return {
    status: result.status,
    passed: result.passed_count,
    failed: result.failed_count,
    warnings: result.warning_count,
    rows: result.total_rows,
    rules: result.rule_results.map((rule) => ({
      name: rule.name,
      status: rule.status,
      unexpected: rule.unexpected_count,
      evaluated: rule.evaluated_count,
    })),
  };
}

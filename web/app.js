// The page: form -> flow YAML and validator findings as you type; a dropped file -> check result.
// All of it calls the engine component (transpiled by jco into gen/browser/), in this tab.

import { RULE_PRESETS, flowDocument } from './flow-document.js';

const form = document.getElementById('flow-form');
const yamlView = document.getElementById('yaml');
const findingsView = document.getElementById('findings');
const resultView = document.getElementById('check-result');
const engineStatus = document.getElementById('engine-status');

/** The check options the CLI uses by default (`--preset default`). */
const CHECK_OPTIONS = { sampleFailures: 100, minSeverity: 'low', shardCount: 1, shardIndex: 0, ruleFormat: 'truthound' };

let engine;
/** The last file's rows as Arrow IPC, kept so that editing the rules re-runs the check. */
let loaded;

/** The form's values by input name: booleans for checkboxes, text otherwise. */
function formFields() {
  const fields = {};
  for (const element of form.elements) {
    if (!element.name) continue;
    fields[element.name] = element.type === 'checkbox' ? element.checked : element.value;
  }
  return fields;
}

/** The message of an engine error (a `quality-error` record thrown as ComponentError). */
function errorMessage(error) {
  return error?.payload?.message ?? String(error?.message ?? error);
}

/** Shows only the fields of the chosen generator and task runner. */
function showRelevantFields(fields) {
  for (const element of form.querySelectorAll('[data-for]')) {
    element.hidden = !element.dataset.for.split(' ').includes(fields.kind);
  }
  for (const element of form.querySelectorAll('[data-runner]')) {
    element.hidden = element.dataset.runner !== fields.task_runner;
  }
}

function showFindings(items) {
  findingsView.replaceChildren(
    ...items.map(({ severity, path, message }) => {
      const item = document.createElement('li');
      item.className = severity;
      item.textContent = `${severity}${path ? ` at ${path}` : ''}: ${message}`;
      return item;
    }),
  );
}

/** Regenerates the YAML and validates it. */
function update() {
  const fields = formFields();
  showRelevantFields(fields);
  let yaml;
  try {
    yaml = engine.flows.generate(fields.kind, JSON.stringify(flowDocument(fields.kind, fields)));
  } catch (error) {
    yamlView.textContent = '';
    showFindings([{ severity: 'error', path: '', message: `cannot generate the flow: ${errorMessage(error)}` }]);
    return;
  }
  yamlView.textContent = yaml;
  const findings = engine.flowLint.validateFlow(yaml);
  if (findings.length === 0) {
    const item = document.createElement('li');
    item.className = 'ok';
    item.textContent = 'No problems: Kestra 0.20 to 1.x accepts this flow.';
    findingsView.replaceChildren(item);
  } else {
    showFindings(findings);
  }
}

/** The format of a file, by its extension and, failing that, Parquet's magic bytes. */
function dataFormat(name, bytes) {
  const lower = name.toLowerCase();
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return 'tsv';
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  return lower.endsWith('.parquet') || lower.endsWith('.pq') || magic === 'PAR1' ? 'parquet' : 'csv';
}

function cell(row, text) {
  const element = document.createElement(row.parentElement?.tagName === 'THEAD' ? 'th' : 'td');
  element.textContent = text;
  row.append(element);
}

function showResult(name, result) {
  const summary = document.createElement('p');
  summary.className = `summary ${result.status}`;
  summary.dataset.status = result.status;
  summary.textContent =
    `${name}: ${result.status} — ${result.passedCount} passed, ${result.failedCount} failed, ` +
    `${result.warningCount} warnings, ${result.rowCount} rows`;
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const title of ['rule', 'status', 'unexpected', 'evaluated', 'message']) cell(head, title);
  const body = table.createTBody();
  for (const rule of result.ruleResults) {
    const row = body.insertRow();
    row.className = rule.status;
    for (const text of [rule.name, rule.status, rule.unexpectedCount, rule.evaluatedCount, rule.message]) {
      cell(row, String(text));
    }
  }
  resultView.replaceChildren(summary, table);
}

function showError(message) {
  const paragraph = document.createElement('p');
  paragraph.className = 'summary error';
  paragraph.textContent = message;
  resultView.replaceChildren(paragraph);
}

/** Checks the loaded file against the rules in the form. */
function runCheck() {
  if (!loaded) return;
  const rules = form.elements.rules.value;
  if (!rules.trim()) {
    showError('Write rules (or pick a preset) to check the file.');
    return;
  }
  let checker;
  try {
    checker = engine.check.Checker.create(rules, CHECK_OPTIONS);
    checker.feed(loaded.ipc);
    showResult(loaded.name, checker.finish());
  } catch (error) {
    showError(`${loaded.name}: ${errorMessage(error)}`);
  } finally {
    checker?.[Symbol.dispose]?.();
  }
}

/** Reads a file the user gave (its bytes stay in this tab) and checks it. */
async function loadFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    loaded = { name: file.name, ipc: engine.decode.toArrowIpc(bytes, dataFormat(file.name, bytes)) };
  } catch (error) {
    loaded = undefined;
    showError(`${file.name}: ${errorMessage(error)}`);
    return;
  }
  runCheck();
}

function download() {
  const blob = new Blob([yamlView.textContent], { type: 'application/yaml' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `${form.elements.flow_id.value.trim() || 'flow'}.yml`;
  link.click();
  URL.revokeObjectURL(link.href);
}

function wire() {
  form.addEventListener('input', update);
  form.elements.rules.addEventListener('input', runCheck);
  for (const button of form.querySelectorAll('[data-preset]')) {
    button.addEventListener('click', () => {
      form.elements.rules.value = RULE_PRESETS[button.dataset.preset];
      update();
      runCheck();
    });
  }
  document.getElementById('copy').addEventListener('click', async (event) => {
    await navigator.clipboard.writeText(yamlView.textContent);
    event.target.textContent = 'Copied';
    setTimeout(() => (event.target.textContent = 'Copy'), 1500);
  });
  document.getElementById('download').addEventListener('click', download);
  const dropZone = document.getElementById('drop-zone');
  dropZone.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropZone.classList.add('over');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('over'));
  dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropZone.classList.remove('over');
    const [file] = event.dataTransfer.files;
    if (file) loadFile(file);
  });
  document.getElementById('data-file').addEventListener('change', (event) => {
    const [file] = event.target.files;
    if (file) loadFile(file);
  });
}

async function start() {
  const started = performance.now();
  try {
    engine = await import('./gen/browser/engine.js');
  } catch (error) {
    engineStatus.textContent = `The engine could not be loaded: ${error.message}`;
    engineStatus.className = 'error';
    return;
  }
  form.elements.rules.value = RULE_PRESETS.orders;
  wire();
  update();
  engineStatus.textContent = `Engine ready (${Math.round(performance.now() - started)} ms).`;
  document.body.dataset.ready = 'true';
}

start();

// The generator's parameter document (the seed's snake_case names) from the form's fields.
// Each generator rejects parameters it does not take, so only the ones of `kind` are written.

/** Rule documents the page offers as starting points, by preset name. */
export const RULE_PRESETS = {
  orders: `# For examples/orders.csv
name: orders
rules:
  - {type: not_null, column: order_id}
  - {type: unique, column: order_id}
  - {type: row_count, min: 1}
  - {type: not_null, column: email, mostly: 0.95}
  - {type: email, column: email, severity: warning}
  - {type: in_range, column: amount, min: 0, severity: warning}
  - {type: in_set, column: status, values: [pending, shipped, delivered], severity: warning}
  - {type: max_length, column: country, value: 2}
`,
  completeness: `rules:
  - {type: row_count, min: 1}
  - {type: not_null, column: id}
  - {type: completeness_ratio, column: email, min_ratio: 0.95}
`,
  keys: `rules:
  - {type: unique, column: id}
  - {type: email, column: email}
  - {type: uuid, column: request_id, severity: warning}
`,
  ranges: `rules:
  - {type: in_range, column: amount, min: 0, max: 10000}
  - {type: in_set, column: status, values: [pending, shipped, delivered]}
  - {type: max_length, column: country, value: 2}
`,
};

/** Generators that take each parameter, beyond the ones every generator takes. */
const TAKEN_BY = {
  rules: ['check', 'pipeline'],
  fail_on_error: ['check', 'pipeline'],
  include_profile: ['pipeline'],
  include_learn: ['pipeline'],
  min_confidence: ['learn', 'pipeline'],
};

/**
 * The parameter document of generator `kind` for the form's `fields` (strings and booleans by
 * input name). Empty text fields are left out, so the generator applies its defaults.
 */
export function flowDocument(kind, fields) {
  const takes = (name) => !TAKEN_BY[name] || TAKEN_BY[name].includes(kind);
  const text = (name) => (fields[name] ?? '').trim();
  const document = { flow_id: text('flow_id'), namespace: text('namespace') };
  for (const name of ['input_uri', 'schedule', 'timezone']) {
    if (text(name)) document[name] = text(name);
  }
  if (takes('rules') && text('rules')) document.rules = fields.rules;
  if (takes('fail_on_error')) document.fail_on_error = fields.fail_on_error;
  if (takes('include_profile')) document.include_profile = fields.include_profile;
  if (takes('include_learn')) document.include_learn = fields.include_learn;
  // Learning's confidence only means something in a pipeline that learns.
  const learns = kind === 'learn' || (kind === 'pipeline' && fields.include_learn);
  if (takes('min_confidence') && learns && text('min_confidence')) {
    document.min_confidence = Number(text('min_confidence'));
  }
  if (text('retry_policy')) {
    document.retry = {
      policy: text('retry_policy'),
      max_attempts: Number(text('retry_attempts') || 0),
      initial_delay_seconds: Number(text('retry_interval') || 0),
    };
  }
  document.task_runner = text('task_runner') || 'docker';
  if (document.task_runner === 'docker' && text('container_image')) {
    document.container_image = text('container_image');
  }
  return document;
}

//! `{{ outputs.<taskId>... }}` references in Pebble expressions (kestra-syntax.md §3.5): the
//! task must exist, and script task results are read under `vars`, not directly.

use super::tasks::TaskTree;
use super::{Findings, field, item};
use regex::Regex;
use serde_yaml_ng::Value;
use std::sync::LazyLock;

/// A Pebble expression or tag: `{{ ... }}` or `{% ... %}`.
static EXPRESSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\{\{(.*?)\}\}|\{%(.*?)%\}").expect("valid regex"));
/// `outputs.<id>` or `outputs['<id>']`, not preceded by a property access (`trigger.outputs`),
/// then optional subscripts (`[taskrun.value]`) and the attribute read.
static OUTPUT_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|[^.\w])outputs(?:\.([A-Za-z0-9_-]+)|\[\s*['"]([^'"]+)['"]\s*\])((?:\[[^\]]*\])*)(?:\.([A-Za-z_]\w*))?"#,
    )
    .expect("valid regex")
});
/// What a script task's outputs hold (`ScriptOutput`).
const SCRIPT_OUTPUTS: &[&str] = &["vars", "exitCode", "outputFiles", "taskRunner"];

/// Checks every `outputs.<id>` reference in the string values of the document.
pub(crate) fn check_output_references(document: &Value, tree: &TaskTree, findings: &mut Findings) {
    visit_strings(document, "", &mut |path, text| {
        for expression in EXPRESSION.captures_iter(text) {
            let body = expression.get(1).or_else(|| expression.get(2)).map_or("", |m| m.as_str());
            for reference in OUTPUT_REFERENCE.captures_iter(body) {
                let id = reference.get(1).or_else(|| reference.get(2)).map_or("", |m| m.as_str());
                let Some(task) = tree.find(id) else {
                    findings.error(path, format!("'outputs.{id}' refers to no task: there is no task with id '{id}'"));
                    continue;
                };
                let attribute = reference.get(4).map(|m| m.as_str());
                let subscripted = reference.get(3).is_some_and(|m| !m.as_str().is_empty());
                if let Some(attribute) = attribute
                    && !subscripted
                    && tree.is_in_loop(task)
                {
                    findings.error(
                        path,
                        format!(
                            "'{id}' runs once per loop value, so its outputs are keyed by the value: write \
                             outputs.{id}[taskrun.value].{attribute} inside the loop or outputs.{id}['<value>'].{attribute}"
                        ),
                    );
                    continue;
                }
                if let Some(attribute) = attribute
                    && task.is_script()
                    && !SCRIPT_OUTPUTS.contains(&attribute)
                {
                    findings.error(
                        path,
                        format!(
                            "script task outputs are under vars: write outputs.{id}.vars.{attribute}, not \
                             outputs.{id}.{attribute}"
                        ),
                    );
                }
            }
        }
    });
}

/// Calls `visit` with the path and text of every string in `value` (keys excluded).
fn visit_strings(value: &Value, path: &str, visit: &mut impl FnMut(&str, &str)) {
    match value {
        Value::String(text) => visit(path, text),
        Value::Sequence(items) => {
            for (index, child) in items.iter().enumerate() {
                visit_strings(child, &item(path, index), visit);
            }
        }
        Value::Mapping(map) => {
            for (key, child) in map {
                let key = key.as_str().map_or_else(|| format!("{key:?}"), str::to_string);
                visit_strings(child, &field(path, &key), visit);
            }
        }
        Value::Tagged(tagged) => visit_strings(&tagged.value, path, visit),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

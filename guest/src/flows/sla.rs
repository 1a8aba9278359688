//! SLA monitoring in generated flows: the check task runs `check --sla ... --sla-state FILE`
//! with the previous state read from Kestra's KV store, a `kv.Set` task stores the new state,
//! and an `execution.Fail` task fails the execution afterwards when the rules (or the SLA) say so.
//!
//! Why a gate task instead of letting the check fail: the state must be saved on every
//! evaluated run, failing ones above all (that is what the counter counts). A failed task stops
//! the task list, so the check always exits 0 on failed rules (`--no-fail-on-error`, no
//! `--sla-fail`), `kv.Set` runs next, and `Fail` (whose `condition` reads the check's outputs)
//! ends the execution in FAILED. `finally` would also run after a failure, but it only exists
//! from Kestra 0.21, and the generator targets 0.20 to 1.x.
//!
//! `kv('KEY', errorOnMissing=false)`: the named argument exists in every targeted version; from
//! 0.22 it is required, since `kv()` then fails on a missing key by default (Kestra's 0.22
//! migration guide, "KV function errors on missing key"). A missing key renders empty, which
//! the CLI reads as a fresh state. `kv.Set` renders `value` typed (`renderTyped`): an object
//! output would be stored as a map, so `sla_state` is a JSON document in a *string* output,
//! stored as a string (no `kvType`) and rendered back verbatim by `kv()`.

use super::FlowError;
use super::ids::{IdKind, is_valid};
use super::yaml::Node;
use crate::sla::SlaConfig;
use serde::Deserialize;

/// The task that stores the state in the KV store.
pub const KV_SET_TYPE: &str = "io.kestra.plugin.core.kv.Set";
/// The task that fails the execution when its condition holds.
pub const FAIL_TYPE: &str = "io.kestra.plugin.core.execution.Fail";
/// The SLA config file of a check task with an inline config.
pub const SLA_CONFIG_FILE: &str = "sla.json";
/// Where the check task puts the state read from the KV store.
pub const SLA_STATE_FILE: &str = "sla-state.json";

/// The SLA of a check task: a preset or an inline config (the seed's `SLAConfig` field names),
/// the KV key of its state, and whether a violated SLA fails the execution.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaskSla {
    /// `default`, `strict`, `lenient` or `production`.
    pub preset: Option<String>,
    /// Thresholds written out, instead of a preset.
    pub config: Option<SlaConfig>,
    /// KV key of the state (default `<flow id>_<task id>_sla_state`, in the flow's namespace).
    pub kv_key: Option<String>,
    /// A violated SLA fails the execution (after the state is stored).
    pub fail: bool,
}

/// What the SLA adds to a check task.
#[derive(Debug)]
pub(crate) struct CheckTaskSla {
    /// `SLA_STATE`: the stored state, rendered by Kestra.
    pub env: (String, Node),
    /// `sla.json` for an inline config.
    pub input_file: Option<(String, Node)>,
    /// Writes the state to [`SLA_STATE_FILE`], before the check.
    pub before_check: String,
    /// `--sla ... --sla-state ...`.
    pub check_arguments: String,
}

impl TaskSla {
    /// The KV key, checked.
    pub(crate) fn key(&self, flow_id: &str, task_id: &str, field: &str) -> Result<String, FlowError> {
        let key = self.kv_key.clone().unwrap_or_else(|| format!("{flow_id}_{task_id}_sla_state"));
        if !is_valid(&key, IdKind::Flow) {
            return Err(FlowError::new(
                format!("{field}.kv_key"),
                format!(
                    "{key:?} is not a valid KV key: letters, digits, '.', '_' and '-', starting with a letter or digit"
                ),
            ));
        }
        Ok(key)
    }

    /// The check task's part.
    pub(crate) fn check_task(&self, key: &str, field: &str) -> Result<CheckTaskSla, FlowError> {
        let (spec, input_file) = match (&self.preset, &self.config) {
            (Some(_), Some(_)) => return Err(FlowError::new(field, "give either preset or config, not both")),
            (Some(name), None) => match SlaConfig::preset(name) {
                Some(_) => (name.to_ascii_lowercase(), None),
                None => {
                    let names = SlaConfig::PRESET_NAMES.join(", ");
                    return Err(FlowError::new(format!("{field}.preset"), format!("{name:?} is not one of {names}")));
                }
            },
            (None, Some(config)) => {
                let config = config
                    .clone()
                    .validated()
                    .map_err(|e| FlowError::new(format!("{field}.config.{}", e.field), e.message))?;
                let json = serde_json::to_string(&config).expect("configs serialise");
                (SLA_CONFIG_FILE.to_string(), Some((SLA_CONFIG_FILE.to_string(), Node::Str(json))))
            }
            (None, None) => ("default".to_string(), None),
        };
        Ok(CheckTaskSla {
            env: ("SLA_STATE".into(), Node::Str(format!("{{{{ kv('{key}', errorOnMissing=false) }}}}"))),
            input_file,
            before_check: format!("printf '%s' \"$SLA_STATE\" > {SLA_STATE_FILE}"),
            check_arguments: format!("--sla {spec} --sla-state {SLA_STATE_FILE}"),
        })
    }

    /// The tasks after the check: store the state, then fail the execution when the rules
    /// failed (`fail_on_error`) or the SLA was violated (`fail`).
    pub(crate) fn follow_up_tasks(&self, check_id: &str, key: &str, fail_on_error: bool) -> Vec<(String, Node)> {
        let store_id = format!("{check_id}_sla_state");
        let mut tasks = vec![(
            store_id.clone(),
            Node::Map(vec![
                ("id".into(), Node::Str(store_id)),
                ("type".into(), Node::str(KV_SET_TYPE)),
                ("key".into(), Node::Str(key.to_string())),
                ("value".into(), Node::Str(format!("{{{{ outputs.{check_id}.vars.sla_state }}}}"))),
            ]),
        )];
        let mut reasons = Vec::new();
        if fail_on_error {
            reasons.push(format!("outputs.{check_id}.vars.is_success == false"));
        }
        if self.fail {
            reasons.push(format!("outputs.{check_id}.vars.sla.is_compliant == false"));
        }
        if !reasons.is_empty() {
            let gate_id = format!("{check_id}_gate");
            let what = if self.fail { "rules or SLA" } else { "rules" };
            tasks.push((
                gate_id.clone(),
                Node::Map(vec![
                    ("id".into(), Node::Str(gate_id)),
                    ("type".into(), Node::str(FAIL_TYPE)),
                    ("condition".into(), Node::Str(format!("{{{{ {} }}}}", reasons.join(" or ")))),
                    (
                        "errorMessage".into(),
                        Node::Str(format!("Data quality check {check_id} failed ({what}); see its outputs")),
                    ),
                ]),
            ));
        }
        tasks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_configs_and_keys() {
        let preset = TaskSla { preset: Some("Production".into()), ..TaskSla::default() };
        let part = preset.check_task("k", "sla").unwrap();
        assert_eq!(part.check_arguments, "--sla production --sla-state sla-state.json");
        assert!(part.input_file.is_none());
        assert_eq!(part.env.1, Node::str("{{ kv('k', errorOnMissing=false) }}"));
        let inline = TaskSla { config: Some(SlaConfig::STRICT), ..TaskSla::default() };
        let part = inline.check_task("k", "sla").unwrap();
        assert_eq!(part.check_arguments, "--sla sla.json --sla-state sla-state.json");
        let Some((_, Node::Str(json))) = part.input_file else { panic!("an inline config is a file") };
        assert_eq!(SlaConfig::from_document(&json).unwrap(), SlaConfig::STRICT);
        let bad = TaskSla { preset: Some("gold".into()), ..TaskSla::default() };
        assert_eq!(bad.check_task("k", "sla").unwrap_err().field, "sla.preset");
        let out_of_range = TaskSla {
            config: Some(SlaConfig { min_pass_rate: Some(2.0), ..SlaConfig::DEFAULT }),
            ..TaskSla::default()
        };
        assert_eq!(out_of_range.check_task("k", "sla").unwrap_err().field, "sla.config.min_pass_rate");
        assert_eq!(TaskSla::default().key("orders", "check", "sla").unwrap(), "orders_check_sla_state");
        let spaced = TaskSla { kv_key: Some("my key".into()), ..TaskSla::default() };
        assert_eq!(spaced.key("orders", "check", "sla").unwrap_err().field, "sla.kv_key");
    }

    #[test]
    fn the_gate_fails_on_rules_and_optionally_on_the_sla() {
        let ids = |tasks: Vec<(String, Node)>| tasks.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
        let sla = TaskSla::default();
        assert_eq!(ids(sla.follow_up_tasks("check", "k", false)), ["check_sla_state"]);
        assert_eq!(ids(sla.follow_up_tasks("check", "k", true)), ["check_sla_state", "check_gate"]);
        let failing = TaskSla { fail: true, ..TaskSla::default() };
        let tasks = failing.follow_up_tasks("check", "k", false);
        let Node::Map(gate) = &tasks[1].1 else { panic!() };
        assert_eq!(gate[2].1, Node::str("{{ outputs.check.vars.sla.is_compliant == false }}"));
    }
}

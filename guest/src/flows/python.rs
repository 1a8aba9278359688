//! `io.kestra.plugin.scripts.python.Script` tasks (the seed's `FlowGenerator(python_version=...)`):
//! the same task as the CLI one (env, `inputFiles`, retry, timeout), whose `script` calls the
//! `truthound-kestra` Python package, which prints the same `::{"outputs":...}::` lines.

use super::FlowError;
use super::config::{FlowConfig, TaskType};
use super::tasks::{RULES_FILE, TaskPlan};

pub const PYTHON_SCRIPT_TYPE: &str = "io.kestra.plugin.scripts.python.Script";
/// The package the scripts import, pinned to this engine's version.
pub const PYTHON_REQUIREMENT: &str = concat!("truthound-kestra==", env!("CARGO_PKG_VERSION"));

/// Python tasks of a flow: which Python, and how the package gets installed.
#[derive(Clone, Debug, PartialEq)]
pub struct PythonTasks {
    /// `3.11`: the Docker image `python:3.11-slim` unless `container_image` names another.
    pub version: String,
    /// What `pip install` installs before the script (a requirement, a wheel URL or path);
    /// `None` when the image already has the package.
    pub requirement: Option<String>,
}

impl PythonTasks {
    /// Python tasks for `config`, if it asks for them (`python_version`).
    pub fn of(config: &FlowConfig) -> Result<Option<PythonTasks>, FlowError> {
        let Some(version) = &config.python_version else { return Ok(None) };
        let mut parts = version.split('.');
        let numeric = |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !(parts.next() == Some("3") && numeric(parts.next()) && parts.next().is_none_or(|p| numeric(Some(p)))) {
            return Err(FlowError::new("python_version", format!("{version:?} is not a Python 3 version like 3.11")));
        }
        let requirement = match config.python_requirement.as_deref().map(str::trim) {
            Some("") => None,
            Some(requirement) => Some(requirement.to_string()),
            None => Some(PYTHON_REQUIREMENT.to_string()),
        };
        Ok(Some(PythonTasks { version: version.clone(), requirement }))
    }

    /// The Docker image of the tasks: `python:<version>-slim` unless one was configured.
    pub fn image(&self, configured: &str) -> String {
        if configured == super::DEFAULT_CONTAINER_IMAGE {
            format!("python:{}-slim", self.version)
        } else {
            configured.to_string()
        }
    }

    /// `beforeCommands`: pip quietly (Kestra turns any stderr line into a WARNING state).
    pub fn before_commands(&self) -> Vec<String> {
        self.requirement
            .iter()
            .map(|r| format!("pip install --quiet --disable-pip-version-check --root-user-action=ignore '{r}'"))
            .collect()
    }

    /// The task's script; it reads the same `env` and `inputFiles` as the CLI command would.
    pub fn script(&self, plan: &TaskPlan) -> Result<String, FlowError> {
        let at = |name: &str| format!("tasks[{}].{name}", plan.index);
        if plan.task.fanout.is_some() {
            return Err(FlowError::new(at("task_type"), "fan-out flows run the CLI; leave python_version out"));
        }
        if plan.task.sla.is_some() {
            return Err(FlowError::new(at("sla"), "SLA gates run the CLI; leave python_version out"));
        }
        let call = match plan.task.task_type {
            TaskType::Check => {
                let fail = if plan.task.fail_on_error { "True" } else { "False" };
                format!(
                    "from truthound_kestra.scripts import check_quality_script\n\n\
                     check_quality_script(\n    input_uri=os.environ[\"DATA_URI\"],\n    rules=\"{RULES_FILE}\",\n    \
                     engine_name=os.environ[\"RULE_ENGINE\"],\n    fail_on_error={fail},\n)\n"
                )
            }
            TaskType::Profile => "from truthound_kestra.scripts import profile_data_script\n\n\
                 profile_data_script(input_uri=os.environ[\"DATA_URI\"])\n"
                .to_string(),
            TaskType::Learn => format!(
                "from truthound_kestra.scripts import learn_schema_script\n\n\
                 result = learn_schema_script(\n    input_uri=os.environ[\"DATA_URI\"],\n    \
                 min_confidence=float(os.environ[\"MIN_CONFIDENCE\"]),\n)\n\
                 with open(\"{RULES_FILE}\", \"w\", encoding=\"utf-8\") as rules:\n    rules.write(result.rule_document)\n"
            ),
            TaskType::PythonScript => unreachable!("rejected before the script is built"),
        };
        Ok(format!("import os\n\n{call}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(version: &str) -> FlowConfig {
        FlowConfig { python_version: Some(version.into()), ..FlowConfig::new("f", "n") }
    }

    #[test]
    fn versions_must_be_python_3() {
        assert!(PythonTasks::of(&config("3.11")).unwrap().is_some());
        assert!(PythonTasks::of(&config("3.12.4")).unwrap().is_some());
        for bad in ["2.7", "3", "3.x", "python3.11", "3.11;rm"] {
            let error = PythonTasks::of(&config(bad)).unwrap_err();
            assert_eq!(error.field, "python_version", "{bad}");
        }
        assert!(PythonTasks::of(&FlowConfig::new("f", "n")).unwrap().is_none());
    }

    #[test]
    fn the_package_is_pinned_unless_the_image_has_it() {
        let python = PythonTasks::of(&config("3.11")).unwrap().unwrap();
        assert_eq!(python.image(super::super::DEFAULT_CONTAINER_IMAGE), "python:3.11-slim");
        assert_eq!(python.image("registry/quality:1"), "registry/quality:1");
        assert!(python.before_commands()[0].ends_with(&format!("'{PYTHON_REQUIREMENT}'")));
        let preinstalled = FlowConfig { python_requirement: Some(String::new()), ..config("3.11") };
        assert!(PythonTasks::of(&preinstalled).unwrap().unwrap().before_commands().is_empty());
    }
}

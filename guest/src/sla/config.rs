//! SLA thresholds (the seed's `SLAConfig`), its presets and builders, and reading one from a
//! YAML/JSON document with the seed's field names.

use super::violation::AlertLevel;
use serde::{Deserialize, Serialize};

/// The thresholds of an SLA. Unset thresholds are not checked. Build one from a preset
/// ([`SlaConfig::DEFAULT`] and friends), with the `with_*` builders, or from a document with
/// [`SlaConfig::from_document`]; rates are ratios from 0 to 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaConfig {
    /// Most `failed / (passed + failed)` allowed.
    pub max_failure_rate: Option<f64>,
    /// Least `passed / (passed + failed)` required.
    pub min_pass_rate: Option<f64>,
    /// Longest run allowed, in seconds.
    pub max_execution_time_seconds: Option<f64>,
    /// Fewest rows allowed.
    pub min_row_count: Option<u64>,
    /// Most rows allowed.
    pub max_row_count: Option<u64>,
    /// A `consecutive_failures` violation (always critical) is added once this many runs in a
    /// row broke a threshold (0: on every run).
    pub max_consecutive_failures: u32,
    /// A check that ended with warnings gives a warning-level `custom` violation, which does
    /// not count toward the consecutive failures.
    pub alert_on_warning: bool,
    /// The level of every threshold violation.
    pub alert_level: AlertLevel,
    /// A disabled SLA reports no violations and leaves the counter alone.
    pub enabled: bool,
    /// Free labels, kept sorted and without duplicates (the seed's frozenset).
    pub tags: Vec<String>,
    /// Kestra flow id, for alerts.
    pub flow_id: Option<String>,
    /// Kestra task id, for alerts.
    pub task_id: Option<String>,
    /// Kestra namespace, for alerts.
    pub namespace: Option<String>,
}

/// A threshold out of range, naming the field.
#[derive(Clone, Debug, PartialEq)]
pub struct SlaConfigError {
    /// The field at fault (`min_pass_rate`), or `document` when the text could not be read.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for SlaConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SLA config {}: {}", self.field, self.message)
    }
}

impl std::error::Error for SlaConfigError {}

impl Default for SlaConfig {
    fn default() -> Self {
        SlaConfig::DEFAULT
    }
}

impl SlaConfig {
    /// The seed's `DEFAULT_SLA_CONFIG`: only the consecutive-failure limit (3), level error.
    pub const DEFAULT: SlaConfig = SlaConfig::preset_of(None, None, None, 3, false, AlertLevel::Error);

    /// The seed's `STRICT_SLA_CONFIG`: 1% failures, 99% passes, 60 s, alert after 1 failure, critical.
    pub const STRICT: SlaConfig =
        SlaConfig::preset_of(Some(0.01), Some(0.99), Some(60.0), 1, false, AlertLevel::Critical);

    /// The seed's `LENIENT_SLA_CONFIG`: 10% failures, 90% passes, 600 s, 5 failures, warning.
    pub const LENIENT: SlaConfig =
        SlaConfig::preset_of(Some(0.10), Some(0.90), Some(600.0), 5, false, AlertLevel::Warning);

    /// The seed's `PRODUCTION_SLA_CONFIG`: 5% failures, 95% passes, 300 s, 3 failures, alert on
    /// warnings, error.
    pub const PRODUCTION: SlaConfig =
        SlaConfig::preset_of(Some(0.05), Some(0.95), Some(300.0), 3, true, AlertLevel::Error);

    /// A preset: these thresholds, everything else unset and enabled.
    const fn preset_of(
        max_failure_rate: Option<f64>,
        min_pass_rate: Option<f64>,
        max_execution_time_seconds: Option<f64>,
        max_consecutive_failures: u32,
        alert_on_warning: bool,
        alert_level: AlertLevel,
    ) -> SlaConfig {
        SlaConfig {
            max_failure_rate,
            min_pass_rate,
            max_execution_time_seconds,
            min_row_count: None,
            max_row_count: None,
            max_consecutive_failures,
            alert_on_warning,
            alert_level,
            enabled: true,
            tags: Vec::new(),
            flow_id: None,
            task_id: None,
            namespace: None,
        }
    }

    /// The names [`SlaConfig::preset`] knows.
    pub const PRESET_NAMES: [&'static str; 4] = ["default", "strict", "lenient", "production"];

    /// A preset by name (case-insensitive): `default`, `strict`, `lenient`, `production`.
    pub fn preset(name: &str) -> Option<SlaConfig> {
        match name.to_ascii_lowercase().as_str() {
            "default" => Some(SlaConfig::DEFAULT),
            "strict" => Some(SlaConfig::STRICT),
            "lenient" => Some(SlaConfig::LENIENT),
            "production" => Some(SlaConfig::PRODUCTION),
            _ => None,
        }
    }

    /// Reads a config from YAML or JSON text with the seed's field names; fields left out keep
    /// the DEFAULT values. Unknown fields and out-of-range thresholds are errors.
    pub fn from_document(text: &str) -> Result<SlaConfig, SlaConfigError> {
        let config: SlaConfig = if text.trim().is_empty() {
            SlaConfig::DEFAULT
        } else {
            serde_yaml_ng::from_str(text)
                .map_err(|e| SlaConfigError { field: "document".into(), message: e.to_string() })?
        };
        config.validated()
    }

    /// Checks the thresholds: rates from 0 to 1, execution time finite and not negative; tags
    /// come back sorted without duplicates.
    pub fn validated(mut self) -> Result<SlaConfig, SlaConfigError> {
        check_rate("max_failure_rate", self.max_failure_rate)?;
        check_rate("min_pass_rate", self.min_pass_rate)?;
        if let Some(seconds) = self.max_execution_time_seconds
            && !(seconds.is_finite() && seconds >= 0.0)
        {
            return Err(SlaConfigError {
                field: "max_execution_time_seconds".into(),
                message: format!("must be a number of seconds, 0 or more, got {seconds}"),
            });
        }
        self.tags.sort();
        self.tags.dedup();
        Ok(self)
    }

    /// The seed's `with_failure_rate`.
    pub fn with_failure_rate(self, max_failure_rate: f64) -> Result<SlaConfig, SlaConfigError> {
        SlaConfig { max_failure_rate: Some(max_failure_rate), ..self }.validated()
    }

    /// The seed's `with_pass_rate`.
    pub fn with_pass_rate(self, min_pass_rate: f64) -> Result<SlaConfig, SlaConfigError> {
        SlaConfig { min_pass_rate: Some(min_pass_rate), ..self }.validated()
    }

    /// The seed's `with_execution_time`.
    pub fn with_execution_time(self, max_seconds: f64) -> Result<SlaConfig, SlaConfigError> {
        SlaConfig { max_execution_time_seconds: Some(max_seconds), ..self }.validated()
    }

    /// The seed's `with_row_count(min, max)`: `None` keeps the current bound.
    pub fn with_row_count(self, min: Option<u64>, max: Option<u64>) -> SlaConfig {
        SlaConfig { min_row_count: min.or(self.min_row_count), max_row_count: max.or(self.max_row_count), ..self }
    }

    /// The seed's `with_kestra_context(flow_id, task_id, namespace)`: `None` keeps the current value.
    pub fn with_kestra_context(self, flow_id: &str, task_id: Option<&str>, namespace: Option<&str>) -> SlaConfig {
        SlaConfig {
            flow_id: Some(flow_id.to_string()),
            task_id: task_id.map(str::to_string).or(self.task_id.clone()),
            namespace: namespace.map(str::to_string).or(self.namespace.clone()),
            ..self
        }
    }
}

fn check_rate(field: &str, rate: Option<f64>) -> Result<(), SlaConfigError> {
    match rate {
        Some(rate) if !(0.0..=1.0).contains(&rate) => {
            Err(SlaConfigError { field: field.into(), message: format!("must be a ratio from 0 to 1, got {rate}") })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_the_seeds_values() {
        let rows = [
            ("default", None, None, None, 3, false, AlertLevel::Error),
            ("strict", Some(0.01), Some(0.99), Some(60.0), 1, false, AlertLevel::Critical),
            ("lenient", Some(0.10), Some(0.90), Some(600.0), 5, false, AlertLevel::Warning),
            ("production", Some(0.05), Some(0.95), Some(300.0), 3, true, AlertLevel::Error),
        ];
        for (name, failure, pass, seconds, consecutive, on_warning, level) in rows {
            let preset = SlaConfig::preset(name).unwrap();
            assert_eq!(preset.max_failure_rate, failure, "{name}");
            assert_eq!(preset.min_pass_rate, pass, "{name}");
            assert_eq!(preset.max_execution_time_seconds, seconds, "{name}");
            assert_eq!(preset.max_consecutive_failures, consecutive, "{name}");
            assert_eq!(preset.alert_on_warning, on_warning, "{name}");
            assert_eq!(preset.alert_level, level, "{name}");
            assert!(preset.enabled && preset.min_row_count.is_none() && preset.max_row_count.is_none());
        }
        assert_eq!(SlaConfig::preset("PRODUCTION"), Some(SlaConfig::PRODUCTION));
        assert_eq!(SlaConfig::preset("gold"), None);
    }

    #[test]
    fn rates_outside_zero_to_one_are_errors_naming_the_field() {
        let error = SlaConfig::DEFAULT.with_pass_rate(1.5).unwrap_err();
        assert_eq!(error.field, "min_pass_rate");
        assert!(error.to_string().contains("1.5"), "{error}");
        assert_eq!(SlaConfig::DEFAULT.with_failure_rate(-0.1).unwrap_err().field, "max_failure_rate");
        assert_eq!(SlaConfig::DEFAULT.with_failure_rate(f64::NAN).unwrap_err().field, "max_failure_rate");
        assert_eq!(SlaConfig::DEFAULT.with_execution_time(-1.0).unwrap_err().field, "max_execution_time_seconds");
        assert_eq!(SlaConfig::DEFAULT.with_pass_rate(1.0).unwrap().min_pass_rate, Some(1.0));
    }

    #[test]
    fn builders_keep_what_they_are_not_given() {
        let config = SlaConfig::DEFAULT
            .with_row_count(Some(10), None)
            .with_row_count(None, Some(20))
            .with_kestra_context("flow", Some("task"), Some("team"))
            .with_kestra_context("flow2", None, None);
        assert_eq!((config.min_row_count, config.max_row_count), (Some(10), Some(20)));
        assert_eq!(config.flow_id.as_deref(), Some("flow2"));
        assert_eq!(config.task_id.as_deref(), Some("task"));
        assert_eq!(config.namespace.as_deref(), Some("team"));
    }

    #[test]
    fn documents_use_the_seeds_field_names() {
        let yaml = "min_pass_rate: 0.9\nmax_row_count: 100\nalert_level: critical\ntags: [b, a, b]\n";
        let config = SlaConfig::from_document(yaml).unwrap();
        assert_eq!(config.min_pass_rate, Some(0.9));
        assert_eq!(config.max_row_count, Some(100));
        assert_eq!(config.alert_level, AlertLevel::Critical);
        assert_eq!(config.max_consecutive_failures, 3, "left-out fields keep the defaults");
        assert_eq!(config.tags, ["a", "b"]);
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(SlaConfig::from_document(&json).unwrap(), config);
        assert_eq!(SlaConfig::from_document("").unwrap(), SlaConfig::DEFAULT);
        assert_eq!(SlaConfig::from_document("{\"min_pass_rate\": 2}").unwrap_err().field, "min_pass_rate");
        let unknown = SlaConfig::from_document("min_passrate: 0.9").unwrap_err();
        assert_eq!(unknown.field, "document");
        assert!(unknown.message.contains("min_passrate"), "{}", unknown.message);
    }
}

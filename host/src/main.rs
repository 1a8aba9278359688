//! The `truthound-kestra` command line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::Value;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use truthound_guest::analyzers::spill::{SPILL_BUDGET_VARIABLE, SPILL_DIR_VARIABLE};
use truthound_kestra::context::{LoadedContext, get_execution_context};
use truthound_kestra::fanout::{merge_states, run_partial_check};
use truthound_kestra::flow_validate::{ValidateFormat, validate_files};
use truthound_kestra::kestra::{LogLevel, Metric, logs_line, metrics_line, outputs_line};
use truthound_kestra::outputs::write_atomically;
use truthound_kestra::partial_state::{PartialState, STATE_VERSION, StateIdentity, state_files};
use truthound_kestra::profile::{LearnConfig, ProfileConfig, run_learn, run_profile};
use truthound_kestra::runtime::{
    Compilation, CompileCache, GUEST_WASM, LearnOptions, ProfileOptions, ReportFormat, ReportSeverity, RuleFormat,
    Status,
};
use truthound_kestra::sla::run::CheckSla;
use truthound_kestra::sla::violation_error;
use truthound_kestra::source;
use truthound_kestra::{
    CheckConfig, CheckReport, DataQualityError, ExecutionContext, Limits, Preset, Runtime, exit_code, run_check,
};

/// Data-quality validation for Kestra, with a sandboxed WebAssembly rule engine.
#[derive(Parser)]
#[command(name = "truthound-kestra", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate data against rules and print Kestra outputs and metrics.
    Check(CheckArgs),
    /// Finish a fan-out: merge the partial states of `check --emit-state`, in the order given
    /// (it defines row numbers), into what `check` gives for all the data.
    Merge(MergeArgs),
    /// List the data files a glob or directory names (sorted, the order a check reads them), as
    /// the outputs `partitions` and `count`, and `root`, where their Hive-style partition
    /// directories start (for `check --hive-root`): a fan-out flow's `ForEach` iterates over them.
    Partitions {
        /// A glob, directory or prefix (local or remote), or one file.
        uri: String,
    },
    /// Profile data: per-column statistics, distinct values, quantiles, formats.
    Profile(ProfileArgs),
    /// Learn a rule file from good data (profile, infer, verify on the same data).
    Learn(LearnArgs),
    /// Kestra flows: generate them, and validate flow files offline.
    Flow(FlowArgs),
    /// Write the engine component (.wasm) for embedding in other hosts (Python, Node, browsers).
    Component {
        /// Where to write it.
        #[arg(long, short = 'o', value_name = "FILE", default_value = "truthound-quality.wasm")]
        output: PathBuf,
    },
    /// Show how the engine loads and what it can reach from inside its sandbox.
    Doctor {
        /// A host file the engine is asked to read (it must not be able to).
        #[arg(long, default_value = "/etc/passwd")]
        probe_file: String,
        /// Also load this engine plugin and say how long that took (compiled or cached).
        #[arg(long, value_name = "FILE.wasm")]
        engine: Option<PathBuf>,
    },
}

#[derive(Args)]
struct CheckArgs {
    /// The data: a path, glob or directory, or an s3://, gs://, az://, http(s):// URI, or inline
    /// JSON (CSV, TSV, Parquet, JSON, NDJSON, Arrow IPC; gzip/zstd compressed text too).
    uri: String,
    /// A rule document (YAML or JSON): a list of rules or a mapping with `rules:`; with --engine,
    /// a Great Expectations suite or a pandera schema.
    #[arg(long, short = 'r', value_name = "FILE", required_unless_present = "rule", conflicts_with = "rule")]
    rules: Option<PathBuf>,
    /// What runs the rules: truthound, great_expectations (ge) or pandera (the seed's
    /// engine_name: what the rule document is written for), or the path of a third-party engine
    /// component (.wasm, world truthound:quality/check-engine) run in the same sandbox.
    #[arg(long = "engine", value_name = "NAME|FILE.wasm", default_value = "truthound", value_parser = parse_engine, aliases = ["engine-name", "engine_name"])]
    rule_engine: EngineChoice,
    /// One rule as JSON, e.g. '{"type":"not_null","column":"id"}'; repeat for more.
    #[arg(long, value_name = "JSON")]
    rule: Vec<String>,
    #[command(flatten)]
    verdict: VerdictArgs,
    /// Spread the rules over one engine instance per core (default of the production preset;
    /// ignored with --emit-state, whose state holds every rule).
    #[arg(long, overrides_with = "no_parallel")]
    parallel: bool,
    /// Evaluate every rule in one engine instance.
    #[arg(long, overrides_with = "parallel")]
    no_parallel: bool,
    /// Unexpected values kept per rule.
    #[arg(long, value_name = "N")]
    sample_failures: Option<u32>,
    /// Check one partition of a fan-out: write its partial state to FILE (atomically) for
    /// `merge`, instead of deciding pass or fail.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["format", "output", "sla"])]
    emit_state: Option<PathBuf>,
    /// The directory (path or URI prefix, as `partitions` prints it) the file's Hive-style
    /// `name=value` directories start below: their columns are added, as a check of a glob
    /// over the root adds them. Empty: none.
    #[arg(long, value_name = "ROOT")]
    hive_root: Option<String>,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    report: ReportArgs,
}

#[derive(Args)]
struct MergeArgs {
    /// Partial states of `check --emit-state`, in row order; a directory stands for its
    /// *.tqstate files in name order.
    #[arg(required = true, value_name = "STATE")]
    states: Vec<PathBuf>,
    /// The rule document the states were made with (optional: the states carry it; when
    /// given, it must be theirs).
    #[arg(long, short = 'r', value_name = "FILE", conflicts_with = "rule")]
    rules: Option<PathBuf>,
    /// What the rule document is written for (default: what the states say).
    #[arg(long = "engine", value_enum, aliases = ["engine-name", "engine_name"])]
    rule_engine: Option<RuleEngineArg>,
    /// The rules as given to check, one JSON rule per flag (optional, like --rules).
    #[arg(long, value_name = "JSON")]
    rule: Vec<String>,
    #[command(flatten)]
    verdict: VerdictArgs,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    report: ReportArgs,
}

/// How a check result is judged, shared by `check` and `merge`.
#[derive(Args)]
struct VerdictArgs {
    /// The seed's script preset; the options below override it.
    #[arg(long, value_enum, default_value_t = PresetArg::Default)]
    preset: PresetArg,
    /// Exit with code 1 when the check fails (default of every preset but lenient).
    #[arg(long, overrides_with = "no_fail_on_error")]
    fail_on_error: bool,
    /// Exit with code 0 even when the check fails.
    #[arg(long, overrides_with = "fail_on_error")]
    no_fail_on_error: bool,
    /// Failing rules below this severity count as warnings.
    #[arg(long, value_enum)]
    min_severity: Option<MinSeverityArg>,
    /// Evaluate the outcome against an SLA: a preset (default, strict, lenient, production) or a
    /// YAML/JSON SLA config file. Adds the `sla` and `sla_state` outputs, the `sla_violations`
    /// metric, and an `sla_alert` output when violated.
    #[arg(long, value_name = "PRESET|FILE")]
    sla: Option<String>,
    /// Carry the consecutive-failure counter over in this file: read it (missing or empty:
    /// fresh), then replace it atomically with the new state.
    #[arg(long, value_name = "FILE", requires = "sla")]
    sla_state: Option<PathBuf>,
    /// Exit with code 5 when the SLA is violated; this wins over code 1 of failed rules.
    #[arg(long, requires = "sla")]
    sla_fail: bool,
}

/// Where a report goes, shared by `check`, `merge` and `profile`.
#[derive(Args)]
struct ReportArgs {
    /// Format of the report written to --output (or printed after the protocol lines).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Write the report to this file (atomically: never half-written).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

impl ReportArgs {
    /// The format asked for; JSON when only a file is given.
    fn format(&self) -> Option<ReportFormat> {
        let format = self.format.or(self.output.as_ref().map(|_| FormatArg::Json))?;
        Some(match format {
            FormatArg::Json => ReportFormat::Json,
            FormatArg::Yaml => ReportFormat::Yaml,
            FormatArg::Markdown => ReportFormat::Markdown,
            FormatArg::Html => ReportFormat::Html,
            FormatArg::GreatExpectations => ReportFormat::GreatExpectations,
        })
    }
}

/// Limits of the engine, shared by every command that runs it.
#[derive(Args)]
struct EngineArgs {
    /// Wall-clock limit of the run in seconds (the engine is interrupted when it passes).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Memory the engine may use, in MiB.
    #[arg(long, value_name = "MIB")]
    memory_limit: Option<u64>,
    /// Memory `unique`, the distinct-value and the quantile rules may hold before they spill values
    /// to a private directory under TMPDIR (exact either way), in MiB; 0 never spills. Default 64.
    #[arg(long, value_name = "MIB")]
    memory_budget: Option<u64>,
    /// Rows per batch streamed into the engine.
    #[arg(long, value_name = "ROWS", default_value_t = 65_536)]
    batch_size: usize,
}

#[derive(Args)]
struct FlowArgs {
    #[command(subcommand)]
    command: FlowCommand,
}

#[derive(Subcommand)]
enum FlowCommand {
    /// Generate a Kestra flow (0.20 to 1.x) whose tasks run truthound-kestra.
    Generate(Box<truthound_kestra::flow_generate::GenerateArgs>),
    /// Lint Kestra flow files offline (ids, keys, tasks, Dag, retry, durations, cron, triggers,
    /// inputs, typed outputs, outputs.<id> references). Exit 0: no errors, 2: errors, 3: unreadable.
    Validate {
        /// Flow files (YAML).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// `text`: one `FILE:PATH: severity: message` line per finding; `json`: one document.
        #[arg(long, value_enum, default_value_t)]
        format: ValidateFormat,
    },
}

#[derive(Args)]
struct ProfileArgs {
    /// The data: a path, glob or directory, or an s3://, gs://, az://, http(s):// URI, or inline
    /// JSON (CSV, TSV, Parquet, JSON, NDJSON, Arrow IPC; gzip/zstd compressed text too).
    uri: String,
    /// Leave out mean, standard deviation, quantiles, zero and negative counts.
    #[arg(long)]
    no_stats: bool,
    /// Add a histogram per numeric column.
    #[arg(long)]
    histograms: bool,
    /// Profile only the first N rows (0: all).
    #[arg(long, value_name = "N", default_value_t = 0)]
    sample_size: u64,
    /// Most common values listed per column.
    #[arg(long, value_name = "N", default_value_t = 10)]
    top_n: u32,
    /// Distinct values counted exactly per column; beyond, counts are flagged estimates.
    #[arg(long, value_name = "N", default_value_t = truthound_guest::model::ProfileOptions::default().distinct_limit)]
    distinct_limit: u32,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    report: ReportArgs,
}

#[derive(Args)]
struct LearnArgs {
    /// The data to learn from: a path, glob, directory or remote URI, as for `check`.
    uri: String,
    /// Leave out rules with a lower confidence (0 to 1).
    #[arg(long, value_name = "RATIO", default_value_t = 0.8)]
    min_confidence: f64,
    /// Do not suggest formats or patterns for string columns.
    #[arg(long)]
    no_patterns: bool,
    /// Do not suggest value ranges.
    #[arg(long)]
    no_ranges: bool,
    /// Do not suggest value lists for categorical columns.
    #[arg(long)]
    no_categories: bool,
    /// Most distinct values a categorical column may have.
    #[arg(long, value_name = "N", default_value_t = 50)]
    categorical_threshold: u32,
    /// Widen numeric ranges by this share of their width on each side.
    #[arg(long, value_name = "RATIO", default_value_t = 0.1)]
    range_margin: f64,
    /// Learn from the first N rows only (0: all).
    #[arg(long, value_name = "N", default_value_t = 0)]
    sample_size: u64,
    /// Do not check the learned rules on the same data (a second pass) before writing them.
    #[arg(long)]
    no_verify: bool,
    #[command(flatten)]
    engine: EngineArgs,
    /// What --output gets: the rule file (default) or a report.
    #[arg(long, value_enum)]
    format: Option<LearnFormatArg>,
    /// Write the rule file (or the report) to this file, atomically.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RuleEngineArg {
    /// truthound rule documents.
    Truthound,
    /// Great Expectations expectation suites (JSON or YAML).
    #[value(name = "great_expectations", aliases = ["ge", "great-expectations"])]
    GreatExpectations,
    /// pandera DataFrameSchema YAML (pandera.io.to_yaml).
    Pandera,
}

/// What `check --engine` names: one of our rule formats, or a plugin component.
#[derive(Clone)]
enum EngineChoice {
    Rules(RuleEngineArg),
    Plugin(PathBuf),
}

/// A rule format by name, else a path ending in `.wasm` or holding a `/`: a plugin.
fn parse_engine(text: &str) -> Result<EngineChoice, String> {
    if let Ok(rules) = RuleEngineArg::from_str(text, true) {
        return Ok(EngineChoice::Rules(rules));
    }
    if text.ends_with(".wasm") || text.contains(std::path::MAIN_SEPARATOR) || text.contains('/') {
        return Ok(EngineChoice::Plugin(PathBuf::from(text)));
    }
    Err("expected truthound, great_expectations (ge), pandera, or the path of an engine component (.wasm)".into())
}

impl RuleEngineArg {
    /// The rule format and the seed's engine name.
    fn select(self) -> (RuleFormat, &'static str) {
        match self {
            RuleEngineArg::Truthound => (RuleFormat::Truthound, "truthound"),
            RuleEngineArg::GreatExpectations => (RuleFormat::GreatExpectations, "great_expectations"),
            RuleEngineArg::Pandera => (RuleFormat::Pandera, "pandera"),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum LearnFormatArg {
    /// The learned rules as a YAML rule file that `check --rules` takes.
    Rules,
    Json,
    Yaml,
    Markdown,
    /// A self-contained HTML page.
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum PresetArg {
    Default,
    Strict,
    Lenient,
    Production,
}

#[derive(Clone, Copy, ValueEnum)]
enum MinSeverityArg {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Json,
    Yaml,
    Markdown,
    /// A self-contained HTML page (summary, failing rules with samples, histograms as SVG).
    Html,
    /// A Great Expectations validation result.
    #[value(name = "great_expectations", aliases = ["ge", "great-expectations"])]
    GreatExpectations,
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go to stdout with exit 0; usage errors also get the error output.
        Err(error) if error.use_stderr() => {
            let _ = error.print();
            let rendered = error.render().to_string();
            let first_line = rendered.lines().next().unwrap_or_default().trim_start_matches("error: ");
            let error = DataQualityError::configuration("arguments", first_line);
            std::process::exit(fail(error, &get_execution_context().context));
        }
        Err(error) => error.exit(),
    };
    // A panic is a bug of ours: one clear line instead of Rust's panic text, on any thread.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|m| m.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("error: internal error in truthound-kestra{place}: {message} (this is a bug; please report it)");
    }));
    let loaded = get_execution_context();
    let code = match std::panic::catch_unwind(|| run(cli, &loaded)) {
        Ok(Ok(code)) => code,
        Ok(Err(error)) => {
            eprintln!("error: {}", error.message);
            fail(error, &loaded.context)
        }
        Err(_) => fail(DataQualityError::engine("run", "internal error (this is a bug)", None), &loaded.context),
    };
    std::process::exit(code);
}

/// Prints the error output of a run that broke and returns its exit code.
fn fail(error: DataQualityError, context: &ExecutionContext) -> i32 {
    let error = error.with_context(context);
    print_error_output(&error);
    error.exit_code()
}

/// `::{"outputs":{"error":..,"status":"error","is_success":false}}::` on stdout, so that
/// downstream tasks can branch on the error (never on stderr: Kestra reads both, but a stderr
/// line turns the task into a warning).
fn print_error_output(error: &DataQualityError) {
    let _ = writeln!(std::io::stdout().lock(), "{}", outputs_line(&error.outputs().to_string()));
}

fn run(cli: Cli, loaded: &LoadedContext) -> Result<i32, DataQualityError> {
    match cli.command {
        Command::Check(args) => check(args, loaded),
        Command::Merge(args) => merge(args, loaded),
        Command::Partitions { uri } => partitions(&uri, loaded),
        Command::Profile(args) => profile(args, loaded),
        Command::Learn(args) => learn(args, loaded),
        Command::Flow(FlowArgs { command: FlowCommand::Validate { files, format } }) => validate_files(&files, format),
        Command::Flow(FlowArgs { command: FlowCommand::Generate(args) }) => {
            truthound_kestra::flow_generate::run_generate(&args)
        }
        Command::Component { output } => {
            write_atomically(&output, GUEST_WASM)?;
            Ok(exit_code::SUCCESS)
        }
        Command::Doctor { probe_file, engine } => doctor(&probe_file, engine.as_deref()),
    }
}

fn check(args: CheckArgs, loaded: &LoadedContext) -> Result<i32, DataQualityError> {
    print_context_warnings(loaded)?;
    let config = check_config(&args)?;
    let rule_document = rule_document(args.rules.as_ref(), &args.rule, config.rule_format)?
        .ok_or_else(|| DataQualityError::configuration("rules", "give the rules with --rules FILE or --rule JSON"))?;
    // Read the SLA and its state first: a bad one stops the run before any work.
    let sla = args.verdict.sla()?;
    let runtime = match &args.rule_engine {
        EngineChoice::Plugin(path) if args.emit_state.is_some() => {
            return Err(DataQualityError::configuration(
                "emit_state",
                format!("--emit-state takes our engine: the states of {} cannot be merged", path.display()),
            ));
        }
        EngineChoice::Plugin(path) => Runtime::with_engine_plugin(path, &CompileCache::from_env())?.0,
        EngineChoice::Rules(_) => Runtime::new()?,
    };
    if let Some(state_file) = &args.emit_state {
        return emit_state(&runtime, &args.uri, &rule_document, &config, state_file);
    }
    let report = run_check(&runtime, &args.uri, &rule_document, &config)?;
    emit_check_report(report, &config, sla, &args.report, loaded)
}

/// The rule document of `--rules FILE` or `--rule JSON...` (`None` when neither is given).
fn rule_document(
    rules: Option<&PathBuf>,
    rule: &[String],
    rule_format: RuleFormat,
) -> Result<Option<String>, DataQualityError> {
    Ok(Some(match rules {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            DataQualityError::configuration("rules", format!("cannot read the rule document {}: {e}", path.display()))
        })?,
        None if rule.is_empty() => return Ok(None),
        // JSON objects are YAML flow mappings, so a flow sequence of them is a rule document.
        None if rule_format == RuleFormat::Truthound => format!("[{}]", rule.join(",\n")),
        None => {
            return Err(DataQualityError::configuration(
                "rule",
                "--rule takes truthound rules; give a suite or schema file with --rules for --engine",
            ));
        }
    }))
}

/// Checks one partition into a partial state file: the outputs say it is partial (file, rows),
/// and the exit code is 0 unless the run broke.
fn emit_state(
    runtime: &Runtime,
    uri: &str,
    rule_document: &str,
    config: &CheckConfig,
    state_file: &Path,
) -> Result<i32, DataQualityError> {
    let partial = run_partial_check(runtime, uri, rule_document, config)?;
    partial.state.write(state_file)?;
    let (rows, ms, file) = (partial.state.rows, partial.execution_time_ms, state_file.display().to_string());
    let outputs = serde_json::json!({
        "status": "partial",
        "is_success": true,
        "partial_state": {"file": file, "source": uri, "rows": rows, "version": STATE_VERSION},
    });
    let failed = partial.result.failed_count;
    print_protocol(
        &outputs,
        &[Metric::counter("rows", rows as f64), Metric::timer("duration", ms / 1000.0)],
        (
            LogLevel::Info,
            format!(
                "Partial state written to {file}: {rows} rows of {uri} ({failed} rules fail on this partition alone; merge decides) ({ms:.2}ms)"
            ),
        ),
    )?;
    Ok(exit_code::SUCCESS)
}

/// Merges partial states and emits what `check` emits for the whole data.
fn merge(args: MergeArgs, loaded: &LoadedContext) -> Result<i32, DataQualityError> {
    print_context_warnings(loaded)?;
    let states = state_files(&args.states)?
        .into_iter()
        .map(|file| PartialState::read(&file).map(|state| (file, state)))
        .collect::<Result<Vec<_>, _>>()?;
    let Some((first_file, first)) = states.first() else {
        return Err(DataQualityError::configuration("states", "merge needs at least one partial state"));
    };
    let mismatch = |field: &str, difference: String| {
        DataQualityError::configuration(
            field,
            format!("{}: does not match the rules given: {difference}", first_file.display()),
        )
    };
    let mut config = args.verdict.config(&args.engine)?;
    config.engine_name = first.identity.rule_format.clone();
    if let Some(engine) = args.rule_engine
        && engine.select().1 != config.engine_name
    {
        return Err(mismatch(
            "engine",
            format!("its rules are {} rules, not {}", config.engine_name, engine.select().1),
        ));
    }
    let rule_format = first.identity.format().map_err(|e| mismatch("engine", e))?;
    if let Some(document) = rule_document(args.rules.as_ref(), &args.rule, rule_format)? {
        let asked = StateIdentity::new(&document, rule_format, first.identity.sample_failures);
        if let Some(difference) = first.identity.difference(&asked) {
            return Err(mismatch("rules", difference));
        }
    }
    let sla = args.verdict.sla()?;
    let runtime = Runtime::new()?;
    let report = merge_states(&runtime, &states, &config)?;
    emit_check_report(report, &config, sla, &args.report, loaded)
}

/// Lists the data files `uri` names as Kestra outputs, for a fan-out's `ForEach`.
fn partitions(uri: &str, loaded: &LoadedContext) -> Result<i32, DataQualityError> {
    print_context_warnings(loaded)?;
    let (files, root) = source::list_data_files(uri)?;
    let count = files.len();
    let outputs = serde_json::json!({ "partitions": files, "count": count, "root": root.unwrap_or_default() });
    print_protocol(
        &outputs,
        &[Metric::counter("partitions", count as f64)],
        (LogLevel::Info, format!("Listed {count} partition(s) of {uri}")),
    )?;
    Ok(exit_code::SUCCESS)
}

/// Emits a finished check: its outputs, metrics and summary, its SLA evaluation when asked, the
/// report asked for, and the exit code (1 when it fails and `fail_on_error` is on, 5 when the
/// SLA is violated and `--sla-fail` is on).
fn emit_check_report(
    mut report: CheckReport,
    config: &CheckConfig,
    sla: Option<(CheckSla, bool)>,
    report_args: &ReportArgs,
    loaded: &LoadedContext,
) -> Result<i32, DataQualityError> {
    let mut envelope = with_context(&report.render(ReportFormat::JsonCompact)?, &loaded.context)?;
    let (passed, failed, ms) = (report.result.passed_count, report.result.failed_count, report.info.execution_time_ms);
    let mut metrics = vec![
        Metric::counter("rows", report.result.row_count as f64),
        Metric::counter("passed", f64::from(passed)),
        Metric::counter("failed", f64::from(failed)),
        Metric::counter("warnings", f64::from(report.result.warning_count)),
        Metric::timer("duration", ms / 1000.0),
    ];
    let mut sla_violation = None;
    if let Some((sla, sla_fail)) = sla {
        let outcome = sla.evaluate(&envelope, &loaded.context, std::io::stdout())?;
        outcome.add_outputs(&mut envelope);
        metrics.push(outcome.violations_metric());
        print_lines(&outcome.hook_failure_lines())?;
        sla_violation = (sla_fail && !outcome.evaluation.is_compliant()).then(|| violation_error(&outcome.evaluation));
    }
    // A violated SLA fails the task with its own code when asked to, over failed rules.
    let failure = match sla_violation {
        Some(violation) => Some(violation.with_context(&loaded.context)),
        _ => report.fails_task(config).then(|| {
            DataQualityError::rules_failed(failed, result_counts(&envelope["result"])).with_context(&loaded.context)
        }),
    };
    if let Some(error) = &failure {
        envelope["error"] = error.to_dict();
    }
    let summary = if matches!(report.result.status, Status::Passed | Status::Warning) {
        (LogLevel::Info, format!("Check passed: {passed} passed, {failed} failed ({ms:.2}ms)"))
    } else {
        (LogLevel::Warn, format!("Check failed: {passed} passed, {failed} failed ({ms:.2}ms)"))
    };
    print_protocol(&envelope, &metrics, summary)?;
    if let Some(format) = report_args.format() {
        let rendered = report.render(format)?;
        deliver(&rendered, report_args.output.as_ref())?;
    }
    if std::io::stderr().is_terminal() {
        eprintln!(
            "{}: {} passed, {} failed, {} warnings over {} rows in {:.1} ms",
            status_word(report.result.status),
            report.result.passed_count,
            report.result.failed_count,
            report.result.warning_count,
            report.result.row_count,
            report.info.execution_time_ms
        );
    }
    Ok(failure.map_or(exit_code::SUCCESS, |error| error.exit_code()))
}

/// The counts of a check result (the envelope's `result`), for the `DataQualityError` of a
/// failing check: `status` and `failed_count` at the top level, without the per-rule details
/// the outputs already carry.
fn result_counts(result: &Value) -> Value {
    let keys = ["status", "operation", "passed_count", "failed_count", "warning_count", "total_rows", "pass_rate"];
    Value::Object(keys.iter().filter_map(|&k| Some((k.to_string(), result.get(k)?.clone()))).collect())
}

/// Parses the engine's compact envelope and puts the execution context into
/// `result.metadata.context`, so runs are traceable to their Kestra execution.
fn with_context(envelope: &str, context: &ExecutionContext) -> Result<Value, DataQualityError> {
    let mut envelope: Value = serde_json::from_str(envelope).map_err(|e| {
        DataQualityError::serialization("json", "deserialize", format!("the engine's envelope is not JSON: {e}"))
    })?;
    if let Some(metadata) = envelope.pointer_mut("/result/metadata").and_then(Value::as_object_mut) {
        metadata.insert("context".into(), context.to_dict());
    }
    Ok(envelope)
}

/// Warnings about the execution context (a malformed context file or attempt) as protocol
/// WARN logs.
fn print_context_warnings(loaded: &LoadedContext) -> Result<(), DataQualityError> {
    let lines: Vec<String> = loaded.warnings.iter().map(|w| logs_line(LogLevel::Warn, w)).collect();
    print_lines(&lines)
}

/// The protocol lines of a finished run: its outputs, its metrics and a one-line summary log.
fn print_protocol(outputs: &Value, metrics: &[Metric], summary: (LogLevel, String)) -> Result<(), DataQualityError> {
    print_lines(&[outputs_line(&outputs.to_string()), metrics_line(metrics), logs_line(summary.0, &summary.1)])
}

fn check_config(args: &CheckArgs) -> Result<CheckConfig, DataQualityError> {
    let mut config = args.verdict.config(&args.engine)?;
    (config.rule_format, config.engine_name) = match &args.rule_engine {
        EngineChoice::Rules(rules) => (rules.select().0, rules.select().1.into()),
        // A plugin reads its own rule documents; it is reported by its file name.
        EngineChoice::Plugin(path) => {
            let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into());
            (RuleFormat::Truthound, name)
        }
    };
    if args.parallel {
        config.parallel = true;
    }
    if args.no_parallel {
        config.parallel = false;
    }
    if let Some(n) = args.sample_failures {
        config.sample_failures = n;
    }
    config.hive_root = args.hive_root.clone().filter(|root| !root.is_empty());
    Ok(config)
}

impl VerdictArgs {
    /// The SLA to evaluate (read with its state file now, so that a bad one stops the run
    /// before any work) and whether a violation fails the task.
    fn sla(&self) -> Result<Option<(CheckSla, bool)>, DataQualityError> {
        let Some(spec) = &self.sla else { return Ok(None) };
        Ok(Some((CheckSla::load(spec, self.sla_state.as_deref())?, self.sla_fail)))
    }

    /// The preset's configuration with these options and the engine's limits over it.
    fn config(&self, engine: &EngineArgs) -> Result<CheckConfig, DataQualityError> {
        let preset = match self.preset {
            PresetArg::Default => Preset::Default,
            PresetArg::Strict => Preset::Strict,
            PresetArg::Lenient => Preset::Lenient,
            PresetArg::Production => Preset::Production,
        };
        let mut config = preset.config();
        if self.fail_on_error {
            config.fail_on_error = true;
        }
        if self.no_fail_on_error {
            config.fail_on_error = false;
        }
        if let Some(severity) = self.min_severity {
            config.min_severity = match severity {
                MinSeverityArg::Info => ReportSeverity::Info,
                MinSeverityArg::Low => ReportSeverity::Low,
                MinSeverityArg::Medium => ReportSeverity::Medium,
                MinSeverityArg::High => ReportSeverity::High,
                MinSeverityArg::Critical => ReportSeverity::Critical,
            };
        }
        let limits = engine.limits(config.limits())?;
        (config.timeout, config.memory_limit_bytes, config.spill_budget_bytes) =
            (limits.timeout, limits.memory_bytes, limits.spill_budget_bytes);
        config.batch_size = engine.batch_size()?;
        Ok(config)
    }
}

impl EngineArgs {
    /// The limits asked for, over `defaults`.
    fn limits(&self, defaults: Limits) -> Result<Limits, DataQualityError> {
        let mut limits = defaults;
        if let Some(seconds) = self.timeout {
            if !(seconds.is_finite() && seconds > 0.0) {
                return Err(DataQualityError::invalid_option(
                    "--timeout",
                    seconds,
                    "must be a positive number of seconds",
                ));
            }
            limits.timeout = Duration::from_secs_f64(seconds);
        }
        if let Some(mib) = self.memory_limit {
            if mib == 0 || mib > 4096 {
                return Err(DataQualityError::invalid_option("--memory-limit", mib, "must be from 1 to 4096 MiB"));
            }
            limits.memory_bytes = mib << 20;
        }
        if let Some(mib) = self.memory_budget {
            if mib > 1 << 20 {
                return Err(DataQualityError::invalid_option("--memory-budget", mib, "must be at most 1048576 MiB"));
            }
            limits.spill_budget_bytes = mib << 20;
        }
        Ok(limits)
    }

    fn batch_size(&self) -> Result<usize, DataQualityError> {
        if self.batch_size == 0 {
            return Err(DataQualityError::invalid_option("--batch-size", 0, "must be at least 1"));
        }
        Ok(self.batch_size)
    }
}

/// Prints protocol lines on stdout.
fn print_lines(lines: &[String]) -> Result<(), DataQualityError> {
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        writeln!(stdout, "{line}")
            .map_err(|e| DataQualityError::output("stdout", "kestra", format!("cannot write to stdout: {e}")))?;
    }
    Ok(())
}

/// Writes a rendered report to `output`, or prints it after the protocol lines.
fn deliver(rendered: &str, output: Option<&PathBuf>) -> Result<(), DataQualityError> {
    match output {
        Some(path) => write_atomically(path, rendered.as_bytes()),
        None => std::io::stdout()
            .lock()
            .write_all(rendered.as_bytes())
            .map_err(|e| DataQualityError::output("stdout", "stdout", format!("cannot write to stdout: {e}"))),
    }
}

fn profile(args: ProfileArgs, loaded: &LoadedContext) -> Result<i32, DataQualityError> {
    print_context_warnings(loaded)?;
    if args.report.format() == Some(ReportFormat::GreatExpectations) {
        return Err(DataQualityError::configuration(
            "format",
            "--format great_expectations renders check results, not profiles",
        ));
    }
    let defaults = ProfileConfig::default();
    let limits = args.engine.limits(Limits {
        memory_bytes: defaults.memory_limit_bytes,
        timeout: defaults.timeout,
        ..Limits::default()
    })?;
    if args.distinct_limit == 0 {
        return Err(DataQualityError::invalid_option("--distinct-limit", 0, "must be at least 1"));
    }
    let config = ProfileConfig {
        options: ProfileOptions {
            include_stats: !args.no_stats,
            include_histograms: args.histograms,
            sample_size: args.sample_size,
            top_n: args.top_n,
            distinct_limit: args.distinct_limit,
            ..defaults.options
        },
        timeout: limits.timeout,
        memory_limit_bytes: limits.memory_bytes,
        batch_size: args.engine.batch_size()?,
        ..defaults
    };
    let runtime = Runtime::new()?;
    let mut report = run_profile(&runtime, &args.uri, &config)?;
    let envelope = with_context(&report.render(ReportFormat::JsonCompact)?, &loaded.context)?;
    let (columns, rows, ms) = (report.result.column_count, report.result.row_count, report.info.execution_time_ms);
    print_protocol(
        &envelope,
        &[
            Metric::counter("rows", rows as f64),
            Metric::counter("columns", f64::from(columns)),
            Metric::counter("duplicate_rows", report.result.duplicate_row_count as f64),
            Metric::timer("duration", ms / 1000.0),
        ],
        (LogLevel::Info, format!("Profile completed: {columns} columns, {rows} rows ({ms:.2}ms)")),
    )?;
    if let Some(format) = args.report.format() {
        let rendered = report.render(format)?;
        deliver(&rendered, args.report.output.as_ref())?;
    }
    if std::io::stderr().is_terminal() {
        eprintln!(
            "profiled {} columns over {} rows in {:.1} ms",
            report.result.column_count, report.result.row_count, report.info.execution_time_ms
        );
    }
    Ok(exit_code::SUCCESS)
}

fn learn(args: LearnArgs, loaded: &LoadedContext) -> Result<i32, DataQualityError> {
    print_context_warnings(loaded)?;
    let defaults = LearnConfig::default();
    let limits = args.engine.limits(Limits {
        memory_bytes: defaults.memory_limit_bytes,
        timeout: defaults.timeout,
        ..Limits::default()
    })?;
    if !(0.0..=1.0).contains(&args.min_confidence) {
        return Err(DataQualityError::invalid_option("--min-confidence", args.min_confidence, "must be from 0 to 1"));
    }
    if args.categorical_threshold == 0 {
        return Err(DataQualityError::invalid_option("--categorical-threshold", 0, "must be at least 1"));
    }
    if !(args.range_margin.is_finite() && args.range_margin >= 0.0) {
        return Err(DataQualityError::invalid_option("--range-margin", args.range_margin, "must be 0 or more"));
    }
    let config = LearnConfig {
        options: LearnOptions {
            min_confidence: args.min_confidence,
            include_patterns: !args.no_patterns,
            include_ranges: !args.no_ranges,
            include_categories: !args.no_categories,
            categorical_threshold: args.categorical_threshold,
            range_margin: args.range_margin,
        },
        sample_size: args.sample_size,
        verify: !args.no_verify,
        timeout: limits.timeout,
        memory_limit_bytes: limits.memory_bytes,
        batch_size: args.engine.batch_size()?,
        ..defaults
    };
    let runtime = Runtime::new()?;
    let mut report = run_learn(&runtime, &args.uri, &config)?;
    let envelope = with_context(&report.render(ReportFormat::JsonCompact)?, &loaded.context)?;
    let (rules, rows, ms) = (report.result.rules.len(), report.row_count, report.info.execution_time_ms);
    print_protocol(
        &envelope,
        &[
            Metric::counter("rules", rules as f64),
            Metric::counter("rows", rows as f64),
            Metric::timer("duration", ms / 1000.0),
        ],
        (LogLevel::Info, format!("Learn completed: {rules} rules from {rows} rows ({ms:.2}ms)")),
    )?;
    for name in &report.dropped {
        eprintln!("warning: dropped learned rule {name}: it does not hold on the data it was learned from");
    }
    let format = args.format.or(args.output.as_ref().map(|_| LearnFormatArg::Rules));
    if let Some(format) = format {
        let rendered = match format {
            LearnFormatArg::Rules => report.result.rule_document.clone(),
            LearnFormatArg::Json => report.render(ReportFormat::Json)?,
            LearnFormatArg::Yaml => report.render(ReportFormat::Yaml)?,
            LearnFormatArg::Markdown => report.render(ReportFormat::Markdown)?,
            LearnFormatArg::Html => report.render(ReportFormat::Html)?,
        };
        deliver(&rendered, args.output.as_ref())?;
    }
    if std::io::stderr().is_terminal() {
        eprintln!(
            "learned {} rules ({} suggested) from {} rows in {:.1} ms",
            report.result.rules.len(),
            report.result.rules_before_filter,
            report.row_count,
            report.info.execution_time_ms
        );
    }
    Ok(exit_code::SUCCESS)
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::Warning => "warning",
        Status::Skipped => "skipped",
        Status::Error => "error",
    }
}

fn doctor(probe_file: &str, plugin: Option<&Path>) -> Result<i32, DataQualityError> {
    if let Some(path) = plugin {
        let (runtime, load) = Runtime::with_engine_plugin(path, &CompileCache::from_env())?;
        let how = match load.compilation {
            Compilation::Compiled => "compiled",
            Compilation::Cached => "taken from the compile cache",
        };
        let started = Instant::now();
        runtime.session(Default::default())?;
        println!(
            "engine plugin: {} {how} in {:.2} ms, instantiated in {:.2} ms",
            path.display(),
            ms(load.elapsed),
            ms(started.elapsed())
        );
    }
    let started = Instant::now();
    let runtime = Runtime::new()?;
    let loaded = started.elapsed();
    let mut session = runtime.session(Default::default())?;
    let instantiated = started.elapsed();
    let report = session.probe_sandbox(probe_file)?;
    println!(
        "engine: precompiled component loaded in {:.2} ms, instantiated in {:.2} ms",
        ms(loaded),
        ms(instantiated - loaded)
    );
    match &report.file_read {
        Ok(bytes) => println!("sandbox: BROKEN: the engine read {bytes} bytes of {probe_file}"),
        Err(error) => println!("sandbox: the engine cannot read {probe_file} ({error})"),
    }
    let granted = [SPILL_DIR_VARIABLE, SPILL_BUDGET_VARIABLE];
    let leaked: Vec<&String> =
        report.environment_variables.iter().filter(|name| !granted.contains(&name.as_str())).collect();
    println!(
        "sandbox: environment variables visible to the engine: {} (the spill settings it is granted), {} of the host's",
        report.environment_variables.len() - leaked.len(),
        leaked.len()
    );
    let sealed = report.file_read.is_err() && leaked.is_empty();
    Ok(if sealed { exit_code::SUCCESS } else { exit_code::ENGINE })
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

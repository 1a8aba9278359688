//! The `truthound-kestra` command line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use truthound_kestra::kestra::{Metric, metrics_line, outputs_line};
use truthound_kestra::output::write_atomically;
use truthound_kestra::runtime::{GUEST_WASM, ReportFormat, ReportSeverity, RuleFormat, Status};
use truthound_kestra::{CheckConfig, Preset, RunError, Runtime, exit_code, run_check};

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
    },
}

#[derive(Args)]
struct CheckArgs {
    /// The data: a local path or file:// URI (CSV, TSV, Parquet, JSON, NDJSON, Arrow IPC).
    uri: String,
    /// A rule document (YAML or JSON): a list of rules or a mapping with `rules:`; with --engine,
    /// a Great Expectations suite or a pandera schema.
    #[arg(long, short = 'r', value_name = "FILE", required_unless_present = "rule", conflicts_with = "rule")]
    rules: Option<PathBuf>,
    /// What the rule document is written for (the seed's engine_name); reported as the engine.
    #[arg(long, value_enum, default_value_t = EngineArg::Truthound, aliases = ["engine-name", "engine_name"])]
    engine: EngineArg,
    /// One rule as JSON, e.g. '{"type":"not_null","column":"id"}'; repeat for more.
    #[arg(long, value_name = "JSON")]
    rule: Vec<String>,
    /// The seed's script preset; the options below override it.
    #[arg(long, value_enum, default_value_t = PresetArg::Default)]
    preset: PresetArg,
    /// Exit with code 1 when the check fails (default of every preset but lenient).
    #[arg(long, overrides_with = "no_fail_on_error")]
    fail_on_error: bool,
    /// Exit with code 0 even when the check fails.
    #[arg(long, overrides_with = "fail_on_error")]
    no_fail_on_error: bool,
    /// Spread the rules over one engine instance per core (default of the production preset).
    #[arg(long, overrides_with = "no_parallel")]
    parallel: bool,
    /// Evaluate every rule in one engine instance.
    #[arg(long, overrides_with = "parallel")]
    no_parallel: bool,
    /// Unexpected values kept per rule.
    #[arg(long, value_name = "N")]
    sample_failures: Option<u32>,
    /// Failing rules below this severity count as warnings.
    #[arg(long, value_enum)]
    min_severity: Option<MinSeverityArg>,
    /// Wall-clock limit of the run in seconds (the engine is interrupted when it passes).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Memory the engine may use, in MiB.
    #[arg(long, value_name = "MIB")]
    memory_limit: Option<u64>,
    /// Rows per batch streamed into the engine.
    #[arg(long, value_name = "ROWS", default_value_t = 65_536)]
    batch_size: usize,
    /// Format of the report written to --output (or printed after the protocol lines).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Write the report to this file (atomically: never half-written).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EngineArg {
    /// truthound rule documents.
    Truthound,
    /// Great Expectations expectation suites (JSON or YAML).
    #[value(name = "great_expectations", aliases = ["ge", "great-expectations"])]
    GreatExpectations,
    /// pandera DataFrameSchema YAML (pandera.io.to_yaml).
    Pandera,
}

impl EngineArg {
    /// The rule format and the seed's engine name.
    fn select(self) -> (RuleFormat, &'static str) {
        match self {
            EngineArg::Truthound => (RuleFormat::Truthound, "truthound"),
            EngineArg::GreatExpectations => (RuleFormat::GreatExpectations, "great_expectations"),
            EngineArg::Pandera => (RuleFormat::Pandera, "pandera"),
        }
    }
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
    /// A Great Expectations validation result.
    #[value(name = "great_expectations", aliases = ["ge", "great-expectations"])]
    GreatExpectations,
}

fn main() {
    let cli = Cli::parse();
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
    let code = match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(error)) => {
            eprintln!("error: {error}");
            error.exit_code()
        }
        Err(_) => exit_code::ENGINE,
    };
    std::process::exit(code);
}

fn run(cli: Cli) -> Result<i32, RunError> {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Component { output } => {
            write_atomically(&output, GUEST_WASM)?;
            Ok(exit_code::SUCCESS)
        }
        Command::Doctor { probe_file } => doctor(&probe_file),
    }
}

fn check(args: CheckArgs) -> Result<i32, RunError> {
    let config = check_config(&args)?;
    let rule_document = match &args.rules {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| RunError::Usage(format!("cannot read the rule document {}: {e}", path.display())))?,
        // JSON objects are YAML flow mappings, so a flow sequence of them is a rule document.
        None if args.engine == EngineArg::Truthound => format!("[{}]", args.rule.join(",\n")),
        None => {
            return Err(RunError::Usage(
                "--rule takes truthound rules; give a suite or schema file with --rules for --engine".into(),
            ));
        }
    };
    let runtime = Runtime::new()?;
    let mut report = run_check(&runtime, &args.uri, &rule_document, &config)?;

    let envelope = report.render(ReportFormat::JsonCompact)?;
    let mut stdout = std::io::stdout().lock();
    let protocol = [
        outputs_line(&envelope),
        metrics_line(&[
            Metric::counter("rows", report.result.row_count as f64),
            Metric::counter("passed", f64::from(report.result.passed_count)),
            Metric::counter("failed", f64::from(report.result.failed_count)),
            Metric::counter("warnings", f64::from(report.result.warning_count)),
            Metric::timer("duration", report.info.execution_time_ms / 1000.0),
        ]),
    ];
    for line in protocol {
        writeln!(stdout, "{line}").map_err(|e| RunError::Usage(format!("cannot write to stdout: {e}")))?;
    }
    if let Some(format) = args.format.or(args.output.as_ref().map(|_| FormatArg::Json)) {
        let rendered = report.render(report_format(format))?;
        match &args.output {
            Some(path) => write_atomically(path, rendered.as_bytes())?,
            None => {
                write!(stdout, "{rendered}").map_err(|e| RunError::Usage(format!("cannot write to stdout: {e}")))?
            }
        }
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
    Ok(if report.fails_task(&config) { exit_code::RULES_FAILED } else { exit_code::SUCCESS })
}

fn check_config(args: &CheckArgs) -> Result<CheckConfig, RunError> {
    let preset = match args.preset {
        PresetArg::Default => Preset::Default,
        PresetArg::Strict => Preset::Strict,
        PresetArg::Lenient => Preset::Lenient,
        PresetArg::Production => Preset::Production,
    };
    let mut config = preset.config();
    let (rule_format, engine_name) = args.engine.select();
    config.rule_format = rule_format;
    config.engine_name = engine_name.into();
    if args.fail_on_error {
        config.fail_on_error = true;
    }
    if args.no_fail_on_error {
        config.fail_on_error = false;
    }
    if args.parallel {
        config.parallel = true;
    }
    if args.no_parallel {
        config.parallel = false;
    }
    if let Some(n) = args.sample_failures {
        config.sample_failures = n;
    }
    if let Some(severity) = args.min_severity {
        config.min_severity = match severity {
            MinSeverityArg::Info => ReportSeverity::Info,
            MinSeverityArg::Low => ReportSeverity::Low,
            MinSeverityArg::Medium => ReportSeverity::Medium,
            MinSeverityArg::High => ReportSeverity::High,
            MinSeverityArg::Critical => ReportSeverity::Critical,
        };
    }
    if let Some(seconds) = args.timeout {
        if !(seconds.is_finite() && seconds > 0.0) {
            return Err(RunError::Usage(format!("--timeout must be a positive number of seconds, got {seconds}")));
        }
        config.timeout = Duration::from_secs_f64(seconds);
    }
    if let Some(mib) = args.memory_limit {
        if mib == 0 || mib > 4096 {
            return Err(RunError::Usage(format!("--memory-limit must be from 1 to 4096 MiB, got {mib}")));
        }
        config.memory_limit_bytes = mib << 20;
    }
    if args.batch_size == 0 {
        return Err(RunError::Usage("--batch-size must be at least 1".into()));
    }
    config.batch_size = args.batch_size;
    Ok(config)
}

fn report_format(format: FormatArg) -> ReportFormat {
    match format {
        FormatArg::Json => ReportFormat::Json,
        FormatArg::Yaml => ReportFormat::Yaml,
        FormatArg::Markdown => ReportFormat::Markdown,
        FormatArg::GreatExpectations => ReportFormat::GreatExpectations,
    }
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

fn doctor(probe_file: &str) -> Result<i32, RunError> {
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
    println!("sandbox: environment variables visible to the engine: {}", report.environment_variables);
    let sealed = report.file_read.is_err() && report.environment_variables == 0;
    Ok(if sealed { exit_code::SUCCESS } else { exit_code::ENGINE })
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

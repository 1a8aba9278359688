//! The sandboxed engine: one wasmtime `Engine` with the guest precompiled into the binary, and a
//! `Session` per job with its own store, memory limit and wall-clock deadline. The guest gets no
//! network and no host environment; its only directory is an empty, private spill directory
//! (`/spill`, removed with the session) where rules that count distinct values write them once
//! they outgrow `Limits::spill_budget_bytes`. A third-party engine plugin
//! (`Runtime::with_engine_plugin`) runs the checks in the same sandbox, next to our engine, and
//! then no spill directory is granted at all: a plugin sees no directory, network or environment.

mod plugin;
mod spill_dir;

use crate::engine_config::engine_config;
use crate::error::DataQualityError;
use exports::truthound::quality::check;
use plugin::Plugin;
pub use plugin::{CACHE_ENV, Compilation, CompileCache, PluginLoad};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{ResourceLimiter, Store, Trap};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

wasmtime::component::bindgen!({ world: "engine", path: "../wit", additional_derives: [PartialEq] });

pub use exports::truthound::quality::diagnostics::SandboxReport;
pub use exports::truthound::quality::flow_lint::{Finding, FindingSeverity};
pub use exports::truthound::quality::flows::{FlowKind, IdKind};
pub use exports::truthound::quality::report::{ReportFormat, RunInfo};
/// The records of the component's `sla` interface (the host's own SLA types are in `crate::sla`).
pub use exports::truthound::quality::sla as sla_records;
pub use exports::truthound::quality::types::{
    CheckOptions, CheckResult, ColumnProfile, ErrorKind, LearnOptions, LearnResult, LearnedRule, ProfileOptions,
    ProfileResult, QualityError, ReportSeverity, RuleFormat, RuleResult, Severity, Status,
};

/// The component as built (for hosts that embed it themselves).
pub static GUEST_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/guest.wasm"));
/// The component precompiled by the build script for this wasmtime and `engine_config`.
static GUEST_PRECOMPILED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/guest.cwasm"));

/// How often the epoch advances; deadlines are rounded up to it.
const EPOCH_TICK: Duration = Duration::from_millis(10);
/// Bytes the guest's stderr may hold (it only writes there when it panics).
const GUEST_STDERR_CAPACITY: usize = 64 * 1024;

/// Limits of one session.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Linear memory the guest may grow to.
    pub memory_bytes: u64,
    /// Wall-clock time from the session's start.
    pub timeout: Duration,
    /// Memory the value-counting rules (`unique`) may hold before they spill their values to
    /// disk; 0 keeps every value in memory (and gives the engine no spill directory).
    pub spill_budget_bytes: u64,
}

/// The default spill budget: 64 MiB (on 10M distinct strings as fast as keeping them all, at a seventh of the memory).
pub const DEFAULT_SPILL_BUDGET_BYTES: u64 = 64 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 3 << 30,
            timeout: Duration::from_secs(300),
            spill_budget_bytes: DEFAULT_SPILL_BUDGET_BYTES,
        }
    }
}

/// The directory name under which the guest sees its spill directory.
const GUEST_SPILL_DIR: &str = "/spill";

/// The loaded engine, shared by sessions.
pub struct Runtime {
    engine: wasmtime::Engine,
    pre: EnginePre<HostState>,
    linker: Linker<HostState>,
    /// Runs the checks in place of our engine, which still renders their results.
    plugin: Option<Arc<Plugin>>,
    ticker_stop: Arc<AtomicBool>,
}

impl Runtime {
    /// Loads the precompiled guest (about a millisecond: no compilation happens here).
    pub fn new() -> Result<Runtime, DataQualityError> {
        let engine = wasmtime::Engine::new(&engine_config()).map_err(engine_error("cannot start wasmtime"))?;
        // SAFETY: the bytes were produced by this crate's build script with this wasmtime version
        // and `engine_config`, and are embedded read-only in the binary.
        let component = unsafe { Component::deserialize(&engine, GUEST_PRECOMPILED) }
            .map_err(engine_error("cannot load the precompiled engine component"))?;
        Self::with_component(engine, component)
    }

    fn with_component(engine: wasmtime::Engine, component: Component) -> Result<Runtime, DataQualityError> {
        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(engine_error("cannot link WASI"))?;
        let pre = linker.instantiate_pre(&component).map_err(engine_error("the engine component does not link"))?;
        let pre =
            EnginePre::new(pre).map_err(engine_error("the engine component does not export truthound:quality"))?;
        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_epoch_ticker(engine.clone(), ticker_stop.clone());
        Ok(Runtime { engine, pre, linker, plugin: None, ticker_stop })
    }

    /// Our engine with the checks run by the third-party component at `path` instead, which
    /// must implement the `check-engine` world; it gets the same sandbox and limits. Its
    /// compiled code is taken from or written to `cache`.
    pub fn with_engine_plugin(path: &Path, cache: &CompileCache) -> Result<(Runtime, PluginLoad), DataQualityError> {
        let mut runtime = Runtime::new()?;
        let (plugin, load) = Plugin::load(&runtime.engine, &runtime.linker, path, cache)?;
        runtime.plugin = Some(Arc::new(plugin));
        Ok((runtime, load))
    }

    /// The engine plugin's name (its file name), when checks run in a plugin.
    pub fn plugin_name(&self) -> Option<&str> {
        self.plugin.as_ref().map(|plugin| plugin.name.as_str())
    }

    /// A fresh, isolated instance with its own limits. After a trap a session is poisoned;
    /// start a new one.
    pub fn session(&self, limits: Limits) -> Result<Session, DataQualityError> {
        let stderr = MemoryOutputPipe::new(GUEST_STDERR_CAPACITY);
        let mut wasi = WasiCtxBuilder::new();
        wasi.stderr(stderr.clone());
        // The host calls the engine synchronously, so its file operations (the spill) may block
        // this thread instead of hopping through tokio's blocking pool for every 4 KiB.
        wasi.allow_blocking_current_thread(true);
        let spill_budget = if self.plugin.is_some() { 0 } else { limits.spill_budget_bytes };
        let spill_dir = spill_dir::grant(&mut wasi, spill_budget)?;
        let wasi = wasi.build();
        let state = HostState {
            wasi,
            table: ResourceTable::new(),
            memory: MemoryLimit { max_bytes: limits.memory_bytes, denied: false },
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.memory);
        let ticks = limits.timeout.as_nanos().div_ceil(EPOCH_TICK.as_nanos()).max(1);
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
        store.epoch_deadline_trap();
        let bindings = self.pre.instantiate(&mut store).map_err(engine_error("cannot start the engine"))?;
        let mut session =
            Session { store, bindings, plugin: None, stderr, limits, started: Instant::now(), _spill_dir: spill_dir };
        if let Some(plugin) = &self.plugin {
            let check = plugin
                .pre
                .instantiate(&mut session.store)
                .and_then(|instance| plugin.check.load(&mut session.store, &instance));
            let check =
                check.map_err(plugin::load_error(&plugin.name, "cannot start (does it implement check-engine?)"))?;
            session.plugin = Some((plugin.clone(), check));
        }
        Ok(session)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

fn spawn_epoch_ticker(engine: wasmtime::Engine, stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(EPOCH_TICK);
            engine.increment_epoch();
        }
    });
}

struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    memory: MemoryLimit,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Caps linear memory and remembers whether the cap was hit, to explain the trap that follows.
struct MemoryLimit {
    max_bytes: u64,
    denied: bool,
}

impl ResourceLimiter for MemoryLimit {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = desired as u64 <= self.max_bytes;
        self.denied |= !allowed;
        Ok(allowed)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// A handle to a guest `checker` resource inside a session.
#[derive(Clone, Copy)]
pub struct CheckerHandle(ResourceAny);

/// A handle to a guest `profiler` resource inside a session.
#[derive(Clone, Copy)]
pub struct ProfilerHandle(ResourceAny);

/// One job's isolated engine instance.
pub struct Session {
    store: Store<HostState>,
    bindings: Engine,
    /// The plugin that runs the checks, and its `check` exports in this store.
    plugin: Option<(Arc<Plugin>, check::Guest)>,
    stderr: MemoryOutputPipe,
    limits: Limits,
    started: Instant,
    /// Removed (with whatever the engine spilled) when the session ends.
    _spill_dir: Option<spill_dir::SpillDir>,
}

impl Session {
    /// Fails with the timeout error once the session's deadline has passed (checked by the host
    /// between calls; inside calls the epoch deadline interrupts the guest).
    pub fn check_deadline(&self) -> Result<(), DataQualityError> {
        self.check_deadline_for("run")
    }

    /// Time left before the deadline.
    pub fn remaining(&self) -> Duration {
        self.limits.timeout.saturating_sub(self.started.elapsed())
    }

    fn timeout_error(&self, operation: &str) -> DataQualityError {
        let message = format!(
            "{} exceeded its timeout of {} s and was stopped (raise it with --timeout)",
            self.culprit("the run"),
            format_seconds(self.limits.timeout)
        );
        self.named(DataQualityError::engine(operation, message, Some(("Timeout", "epoch deadline reached".into()))))
    }

    /// Who is to blame in an error message: the engine plugin by name when one runs the checks
    /// (users must see whose fault it is), else `ours`.
    fn culprit(&self, ours: &str) -> String {
        match &self.plugin {
            Some((plugin, _)) => format!("the engine plugin {}", plugin.name),
            None => ours.into(),
        }
    }

    /// `error` with the plugin's name as its engine name, when a plugin runs the checks.
    fn named(&self, error: DataQualityError) -> DataQualityError {
        match &self.plugin {
            Some((plugin, _)) => error.with_engine_name(&plugin.name),
            None => error,
        }
    }

    /// Explains a failed guest call: a timeout, the memory limit, or a trap with the guest's
    /// panic message.
    fn trap_error(&mut self, operation: &str, error: wasmtime::Error) -> DataQualityError {
        if matches!(error.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
            return self.timeout_error(operation);
        }
        let trap = error.downcast_ref::<Trap>().map(|t| t.to_string()).unwrap_or_else(|| format!("{error:#}"));
        let engine = self.culprit("the engine");
        if self.store.data().memory.denied {
            let message = format!(
                "{engine} hit its memory limit of {} MiB (raise it with --memory-limit)",
                self.limits.memory_bytes >> 20
            );
            return self.named(DataQualityError::engine(operation, message, Some(("MemoryLimit", trap))));
        }
        let guest_said = String::from_utf8_lossy(&self.stderr.contents()).trim().to_string();
        let message = if guest_said.is_empty() {
            format!("{engine} stopped with a trap: {trap}")
        } else {
            format!("{engine} stopped with a trap: {trap}; it said: {guest_said}")
        };
        self.named(DataQualityError::engine(operation, message, Some(("Trap", trap))))
    }

    /// Runs a guest call, turning traps into engine errors and guest errors into run errors.
    /// `operation` names the call in engine errors.
    fn call<T>(
        &mut self,
        operation: &str,
        f: impl FnOnce(&Engine, &mut Store<HostState>) -> wasmtime::Result<Result<T, QualityError>>,
    ) -> Result<T, DataQualityError> {
        self.check_deadline_for(operation)?;
        let outcome = f(&self.bindings, &mut self.store);
        self.settle(operation, outcome)
    }

    /// Runs a call of the `check` interface: the plugin's when one runs the checks, else ours.
    fn call_check<T>(
        &mut self,
        operation: &str,
        f: impl FnOnce(&check::Guest, &mut Store<HostState>) -> wasmtime::Result<Result<T, QualityError>>,
    ) -> Result<T, DataQualityError> {
        self.check_deadline_for(operation)?;
        let check = match &self.plugin {
            Some((_, check)) => check,
            None => self.bindings.truthound_quality_check(),
        };
        let outcome = f(check, &mut self.store);
        self.settle(operation, outcome)
    }

    fn check_deadline_for(&self, operation: &str) -> Result<(), DataQualityError> {
        if self.started.elapsed() > self.limits.timeout {
            return Err(self.timeout_error(operation));
        }
        Ok(())
    }

    /// A call's outcome: its value, the guest's error as a run error, or the trap explained.
    fn settle<T>(
        &mut self,
        operation: &str,
        outcome: wasmtime::Result<Result<T, QualityError>>,
    ) -> Result<T, DataQualityError> {
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(DataQualityError::from_guest(error)),
            Err(trap) => Err(self.trap_error(operation, trap)),
        }
    }

    /// Parses a rule document and plans the check.
    pub fn create_checker(
        &mut self,
        rule_document: &str,
        options: CheckOptions,
    ) -> Result<CheckerHandle, DataQualityError> {
        self.call_check("create_checker", |c, s| c.checker().call_create(s, rule_document, options)).map(CheckerHandle)
    }

    /// Columns the checker's rules name.
    pub fn required_columns(&mut self, checker: CheckerHandle) -> Result<Vec<String>, DataQualityError> {
        self.call_check("required_columns", |c, s| c.checker().call_required_columns(s, checker.0).map(Ok))
    }

    /// Declares every column of the data (an Arrow IPC stream of the schema alone) before
    /// feeding only the required columns.
    pub fn declare_source_schema(&mut self, checker: CheckerHandle, ipc_schema: &[u8]) -> Result<(), DataQualityError> {
        self.call_check("declare_source_schema", |c, s| {
            c.checker().call_declare_source_schema(s, checker.0, ipc_schema)
        })
    }

    /// Feeds one Arrow IPC stream.
    pub fn feed(&mut self, checker: CheckerHandle, ipc_stream: &[u8]) -> Result<(), DataQualityError> {
        self.call_check("feed", |c, s| c.checker().call_feed(s, checker.0, ipc_stream))
    }

    /// The checker's partial state.
    pub fn export_state(&mut self, checker: CheckerHandle) -> Result<Vec<u8>, DataQualityError> {
        self.call_check("export_state", |c, s| c.checker().call_export_state(s, checker.0))
    }

    /// Merges a partial state into the checker.
    pub fn merge_state(&mut self, checker: CheckerHandle, state: &[u8]) -> Result<(), DataQualityError> {
        self.call_check("merge_state", |c, s| c.checker().call_merge_state(s, checker.0, state))
    }

    /// Evaluates the rules.
    pub fn finish(&mut self, checker: CheckerHandle) -> Result<CheckResult, DataQualityError> {
        self.call_check("finish", |c, s| c.checker().call_finish(s, checker.0))
    }

    /// Finishes a shard's part of the counts shared in a sharded check (see the WIT
    /// `shard-parts`).
    pub fn finish_shard_part(&mut self, checker: CheckerHandle) -> Result<Vec<u8>, DataQualityError> {
        self.call("finish_shard_part", |b, s| b.truthound_quality_shard_parts().call_finish_part(s, checker.0))
    }

    /// Adds another shard's part of the shared counts to a shard's checker.
    pub fn merge_shard_part(&mut self, checker: CheckerHandle, part: &[u8]) -> Result<(), DataQualityError> {
        self.call("merge_shard_part", |b, s| b.truthound_quality_shard_parts().call_merge_part(s, checker.0, part))
    }

    /// Joins the results of the shards of one check.
    pub fn combine_results(&mut self, shards: &[CheckResult]) -> Result<CheckResult, DataQualityError> {
        self.call_check("combine_results", |c, s| c.call_combine_results(s, shards))
    }

    /// Renders a result (the guest owns report formats so every host renders alike).
    pub fn render_check(
        &mut self,
        result: &CheckResult,
        info: &RunInfo,
        format: ReportFormat,
    ) -> Result<String, DataQualityError> {
        self.call("render_check", |b, s| {
            b.truthound_quality_report().call_render_check(s, result, info, format).map(Ok)
        })
    }

    /// Starts a profile.
    pub fn create_profiler(&mut self, options: ProfileOptions) -> Result<ProfilerHandle, DataQualityError> {
        self.call("create_profiler", |b, s| b.truthound_quality_profile().profiler().call_create(s, options))
            .map(ProfilerHandle)
    }

    /// Whether the profiler takes more rows (`sample-size` not reached).
    pub fn profiler_wants_rows(&mut self, profiler: ProfilerHandle) -> Result<bool, DataQualityError> {
        self.call("profiler_wants_rows", |b, s| {
            b.truthound_quality_profile().profiler().call_wants_rows(s, profiler.0).map(Ok)
        })
    }

    /// Feeds one Arrow IPC stream to a profiler.
    pub fn profiler_feed(&mut self, profiler: ProfilerHandle, ipc_stream: &[u8]) -> Result<(), DataQualityError> {
        self.call("profiler_feed", |b, s| b.truthound_quality_profile().profiler().call_feed(s, profiler.0, ipc_stream))
    }

    /// The profile of everything fed.
    pub fn profiler_finish(&mut self, profiler: ProfilerHandle) -> Result<ProfileResult, DataQualityError> {
        self.call("profiler_finish", |b, s| b.truthound_quality_profile().profiler().call_finish(s, profiler.0))
    }

    /// The profile options rule learning needs.
    pub fn profile_options_for(
        &mut self,
        options: LearnOptions,
        sample_size: u64,
    ) -> Result<ProfileOptions, DataQualityError> {
        self.call("profile_options_for", |b, s| {
            b.truthound_quality_learn().call_profile_options_for(s, options, sample_size).map(Ok)
        })
    }

    /// Learns rules from a profile.
    pub fn learn(&mut self, profile: &ProfileResult, options: LearnOptions) -> Result<LearnResult, DataQualityError> {
        self.call("learn", |b, s| b.truthound_quality_learn().call_learn(s, profile, options).map(Ok))
    }

    /// The rule document of a list of learned rules.
    pub fn rule_document(&mut self, rules: &[LearnedRule], row_count: u64) -> Result<String, DataQualityError> {
        self.call("rule_document", |b, s| b.truthound_quality_learn().call_rule_document(s, rules, row_count).map(Ok))
    }

    /// Renders a profile.
    pub fn render_profile(
        &mut self,
        result: &ProfileResult,
        info: &RunInfo,
        format: ReportFormat,
    ) -> Result<String, DataQualityError> {
        self.call("render_profile", |b, s| {
            b.truthound_quality_report().call_render_profile(s, result, info, format).map(Ok)
        })
    }

    /// Renders learned rules.
    pub fn render_learn(
        &mut self,
        result: &LearnResult,
        row_count: u64,
        info: &RunInfo,
        format: ReportFormat,
    ) -> Result<String, DataQualityError> {
        self.call("render_learn", |b, s| {
            b.truthound_quality_report().call_render_learn(s, result, row_count, info, format).map(Ok)
        })
    }

    /// Generates a Kestra flow inside the engine (the same code the host links natively; this
    /// is the path other hosts and browsers take).
    pub fn generate_flow(&mut self, kind: FlowKind, config_document: &str) -> Result<String, DataQualityError> {
        self.call("generate_flow", |b, s| b.truthound_quality_flows().call_generate(s, kind, config_document))
    }

    /// Asks the guest to read `path` from inside its sandbox.
    pub fn probe_sandbox(&mut self, path: &str) -> Result<SandboxReport, DataQualityError> {
        self.call("probe_sandbox", |b, s| b.truthound_quality_diagnostics().call_probe_sandbox(s, path).map(Ok))
    }

    /// An SLA preset from the component's `sla` interface.
    pub fn sla_preset(&mut self, name: &str) -> Result<Option<sla_records::SlaConfig>, DataQualityError> {
        self.call("sla_preset", |b, s| b.truthound_quality_sla().call_preset(s, name).map(Ok))
    }

    /// An SLA evaluation by the component's `sla` interface, for hosts that embed the component
    /// (this crate links the same evaluation natively: `crate::sla::evaluate`).
    pub fn evaluate_sla(
        &mut self,
        config: &sla_records::SlaConfig,
        metrics: &sla_records::SlaMetrics,
        previous_consecutive_failures: u32,
    ) -> Result<sla_records::SlaEvaluation, DataQualityError> {
        self.call("evaluate_sla", |b, s| {
            b.truthound_quality_sla().call_evaluate(s, config, metrics, previous_consecutive_failures)
        })
    }

    /// Validates a Kestra flow document offline; no finding means no problem was found.
    pub fn validate_flow(&mut self, yaml: &str) -> Result<Vec<Finding>, DataQualityError> {
        self.call("validate_flow", |b, s| b.truthound_quality_flow_lint().call_validate_flow(s, yaml).map(Ok))
    }
}

/// An error starting the engine: `context` says what failed.
fn engine_error(context: &'static str) -> impl Fn(wasmtime::Error) -> DataQualityError {
    move |e| DataQualityError::engine("load", format!("{context}: {e:#}"), Some(("wasmtime::Error", format!("{e:#}"))))
}

/// `0.5`, `300`: seconds without trailing zeros.
fn format_seconds(duration: Duration) -> String {
    let text = format!("{:.3}", duration.as_secs_f64());
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

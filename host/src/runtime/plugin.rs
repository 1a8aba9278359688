//! Third-party engine plugins: components that implement the `check-engine` world (the shared
//! types and the `check` interface) and run checks in place of our engine, in the same sandbox.
//!
//! Our engine is precompiled by the build script; a plugin is compiled by Cranelift when it is
//! loaded, which takes a while for a real component. The compiled code is cached on disk, keyed
//! by the SHA-256 of the component and wasmtime's compatibility hash (its version and
//! configuration), so the next run with the same plugin deserializes it in milliseconds.

use super::HostState;
use super::exports::truthound::quality::check;
use crate::error::DataQualityError;
use crate::outputs::write_atomically;
use sha2::{Digest, Sha256};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmtime::component::{Component, InstancePre, Linker};

/// Overrides where compiled plugins are cached; empty disables the cache.
pub const CACHE_ENV: &str = "TRUTHOUND_ENGINE_CACHE";

/// Where compiled engine plugins are kept between runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileCache {
    /// Compiled plugins are read from and written to this directory (created when missing).
    Directory(PathBuf),
    /// Every load compiles the plugin.
    Disabled,
}

impl CompileCache {
    /// `$TRUTHOUND_ENGINE_CACHE` (empty: disabled), else `$XDG_CACHE_HOME/truthound-kestra/engines`,
    /// else `$HOME/.cache/truthound-kestra/engines`; disabled when none is set.
    pub fn from_env() -> CompileCache {
        let var = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
        if let Some(value) = std::env::var_os(CACHE_ENV) {
            return if value.is_empty() { CompileCache::Disabled } else { CompileCache::Directory(value.into()) };
        }
        var("XDG_CACHE_HOME")
            .or_else(|| var("HOME").map(|home| home.join(".cache")))
            .map_or(CompileCache::Disabled, |base| {
                CompileCache::Directory(base.join("truthound-kestra").join("engines"))
            })
    }
}

/// How a plugin's native code was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compilation {
    /// Compiled now (and written to the cache, when there is one and it is writable).
    Compiled,
    /// Deserialized from the cache.
    Cached,
}

/// What loading a plugin took, for `doctor` and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginLoad {
    /// Whether the plugin was compiled or came from the cache.
    pub compilation: Compilation,
    /// Reading, compiling or deserializing, and linking.
    pub elapsed: Duration,
}

/// A plugin linked against the sandbox's imports, ready to instantiate in a session's store.
pub(super) struct Plugin {
    /// The plugin's file name, reported in results and errors.
    pub(super) name: String,
    pub(super) pre: InstancePre<HostState>,
    pub(super) check: check::GuestIndices,
}

impl Plugin {
    /// Reads, compiles (or takes from `cache`) and links the component at `path`.
    pub(super) fn load(
        engine: &wasmtime::Engine,
        linker: &Linker<HostState>,
        path: &Path,
        cache: &CompileCache,
    ) -> Result<(Plugin, PluginLoad), DataQualityError> {
        let started = Instant::now();
        let name = plugin_name(path);
        let wasm = std::fs::read(path).map_err(|e| {
            DataQualityError::configuration("engine", format!("cannot read the engine plugin {}: {e}", path.display()))
        })?;
        let (component, compilation) = compile(engine, &wasm, cache)
            .map_err(load_error(&name, "is not a WebAssembly component wasmtime can compile"))?;
        let pre = linker.instantiate_pre(&component).map_err(load_error(
            &name,
            "imports more than the sandbox grants (WASI without files, network or environment)",
        ))?;
        let check = check::GuestIndices::new(&pre)
            .map_err(load_error(&name, "does not implement the truthound:quality/check-engine world"))?;
        Ok((Plugin { name, pre, check }, PluginLoad { compilation, elapsed: started.elapsed() }))
    }
}

/// The name a plugin goes by: its file name.
fn plugin_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned())
}

/// The component's native code: from the cache when it holds a usable copy, else compiled now
/// and cached. A cache that cannot be written only costs the next run a compilation.
fn compile(engine: &wasmtime::Engine, wasm: &[u8], cache: &CompileCache) -> wasmtime::Result<(Component, Compilation)> {
    let CompileCache::Directory(directory) = cache else {
        return Ok((Component::new(engine, wasm)?, Compilation::Compiled));
    };
    let cached = directory.join(cache_file_name(engine, wasm));
    if cached.is_file() {
        // SAFETY: files in the cache are written by `compile` below, from a component whose
        // SHA-256 is in the name, for an engine whose compatibility hash is in the name; the
        // cache directory is trusted like the binary itself. wasmtime still refuses code made
        // by another version or configuration, and then the component is compiled again.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &cached) } {
            return Ok((component, Compilation::Cached));
        }
    }
    let component = Component::new(engine, wasm)?;
    if let Ok(bytes) = component.serialize() {
        let _ = std::fs::create_dir_all(directory).map(|()| write_atomically(&cached, &bytes));
    }
    Ok((component, Compilation::Compiled))
}

/// `<sha256 of the component>-<wasmtime compatibility hash>.cwasm`.
fn cache_file_name(engine: &wasmtime::Engine, wasm: &[u8]) -> String {
    let content: String = Sha256::digest(wasm).iter().map(|byte| format!("{byte:02x}")).collect();
    let mut compatibility = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut compatibility);
    format!("{content}-{:016x}.cwasm", compatibility.finish())
}

/// An engine error at load time that names the plugin and says what is wrong with it.
pub(super) fn load_error(name: &str, problem: &'static str) -> impl Fn(wasmtime::Error) -> DataQualityError {
    let name = name.to_string();
    move |e| {
        DataQualityError::engine(
            "load",
            format!("the engine plugin {name} {problem}: {e:#}"),
            Some(("wasmtime::Error", format!("{e:#}"))),
        )
        .with_engine_name(&name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_names_change_with_the_component_and_not_otherwise() {
        let engine = wasmtime::Engine::new(&crate::engine_config::engine_config()).unwrap();
        let name = cache_file_name(&engine, b"component a");
        assert_eq!(name, cache_file_name(&engine, b"component a"));
        assert_ne!(name, cache_file_name(&engine, b"component b"));
        assert!(name.ends_with(".cwasm") && name.len() == 64 + 1 + 16 + 6, "{name}");
    }
}

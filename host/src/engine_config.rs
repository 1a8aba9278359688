//! The wasmtime configuration. The build script precompiles the guest with it and the runtime
//! loads that precompiled code with it: a precompiled component only loads into an engine
//! configured the same way, so both include this one file.

/// The engine configuration used to compile and to run the guest.
pub fn engine_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model(true);
    // Wall-clock deadlines: a ticker thread advances the epoch; stores trap past their deadline.
    config.epoch_interruption(true);
    config.cranelift_opt_level(wasmtime::OptLevel::Speed);
    config
}

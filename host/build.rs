//! Builds the guest component for wasm32-wasip2 and precompiles it with the host's wasmtime, so
//! that the binary embeds native code and no run ever compiles WebAssembly.
//!
//! `TRUTHOUND_GUEST_WASM=path/to/component.wasm` skips the guest build and uses that file.

#[path = "src/engine_config.rs"]
mod engine_config;

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const GUEST_TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("the host crate sits in the workspace").to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // Relative to this package, so a cached target directory shared by checkouts at different
    // paths (CI clones) watches the files of the checkout being built, not of an earlier one.
    for watched in ["guest/src", "guest/Cargo.toml", "wit", "Cargo.lock", ".cargo/config.toml"] {
        println!("cargo:rerun-if-changed=../{watched}");
    }
    println!("cargo:rerun-if-env-changed=TRUTHOUND_GUEST_WASM");

    let wasm_path = match env::var_os("TRUTHOUND_GUEST_WASM") {
        Some(path) => {
            println!("cargo:rerun-if-changed={}", Path::new(&path).display());
            PathBuf::from(path)
        }
        None => build_guest(&workspace, &out_dir),
    };
    let wasm = std::fs::read(&wasm_path).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", wasm_path.display())));
    let engine = wasmtime::Engine::new(&engine_config::engine_config())
        .unwrap_or_else(|e| fail(&format!("cannot create the wasmtime engine: {e:#}")));
    let compiled = engine
        .precompile_component(&wasm)
        .unwrap_or_else(|e| fail(&format!("cannot precompile {}: {e:#}", wasm_path.display())));
    write(&out_dir.join("guest.wasm"), &wasm);
    write(&out_dir.join("guest.cwasm"), &compiled);
}

/// Runs `cargo build -p truthound-guest --target wasm32-wasip2 --profile wasm` in a target
/// directory of its own (sharing the outer one would deadlock on its lock).
fn build_guest(workspace: &Path, out_dir: &Path) -> PathBuf {
    ensure_wasm_target();
    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out; the guest gets <target>/guest-build,
    // shared by every profile so it is built once.
    let target_dir =
        out_dir.ancestors().nth(4).map(|t| t.join("guest-build")).unwrap_or_else(|| out_dir.join("guest-build"));
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--locked", "-p", "truthound-guest", "--target", GUEST_TARGET, "--profile", "wasm"])
        .arg("--target-dir")
        .arg(&target_dir);
    // Flags meant for the host build must not leak into the wasm build.
    for variable in
        ["CARGO_ENCODED_RUSTFLAGS", "RUSTFLAGS", "CARGO_BUILD_TARGET", "CARGO_TARGET_DIR", "CARGO_BUILD_RUSTFLAGS"]
    {
        command.env_remove(variable);
    }
    let output = command.output().unwrap_or_else(|e| fail(&format!("cannot run cargo to build the guest: {e}")));
    if !output.status.success() {
        fail(&format!("building the guest component failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    target_dir.join(GUEST_TARGET).join("wasm").join("truthound_guest.wasm")
}

/// Installs the wasm32-wasip2 standard library through rustup when it is missing.
fn ensure_wasm_target() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let installed = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", GUEST_TARGET])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|dir| dir.is_dir());
    if installed {
        return;
    }
    let status = Command::new("rustup").args(["target", "add", GUEST_TARGET]).status();
    if !matches!(status, Ok(s) if s.success()) {
        fail(&format!(
            "the Rust target {GUEST_TARGET} is missing and `rustup target add {GUEST_TARGET}` failed; install it and rebuild"
        ));
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", path.display())));
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

//! The standard library the web app is built with: compiled again, for size.
//!
//! The standard library rustup ships is compiled for speed, and its panics
//! format a message and a source location: machinery and strings the app
//! carries in every download although a panic in the browser ends the app
//! either way. Compiled with the app instead (cargo's `-Zbuild-std`), it gets
//! the app's `opt-level = "z"`, its size-first algorithms
//! (`optimize_for_size`), and panics that stop at once with nothing formatted
//! (`-Cpanic=immediate-abort`, locations dropped): about 21 KiB brotli less.
//!
//! Those are unstable cargo and rustc features, and the machines we build on
//! can fetch no toolchain but the stable one (docs/ARCHITECTURE.md,
//! "Toolchain"). `RUSTC_BOOTSTRAP=1` lets that compiler use them, for this one
//! build: the server, the tests and clippy never see it. The price: a panic in
//! the released app shows in the console as `RuntimeError: unreachable`,
//! without its message; `trunk serve` and the browser tests build the usual
//! way and print it.

use std::process::Command;

use crate::bootstrap::Tools;
use crate::{cmd, root, step};

const TARGET: &str = "wasm32-unknown-unknown";
/// What is compiled again: `std` and, beneath it, `core` and `alloc`.
const CRATES: &str = "std,panic_abort";

/// Sets `command` (a cargo, or a Trunk that runs cargo) to build the wasm
/// target with the standard library compiled for size.
pub fn configure(command: &mut Command) -> &mut Command {
    command
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", CRATES)
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
        // Added to .cargo/config.toml's flags for the target, not in their
        // place. Under RUSTC_BOOTSTRAP the compiler names symbols the v0 way
        // (0.8 KiB smaller than the legacy names); `cargo xtask bench bundle`
        // reads those.
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none",
        )
}

/// The standard library's source (rustup's `rust-src`) and the crates it
/// depends on, fetched now: the wasm build itself runs offline.
pub fn prepare(tools: &Tools) -> anyhow::Result<()> {
    let installed = Command::new("rustup").args(["component", "list", "--installed"]).output()?;
    if !String::from_utf8_lossy(&installed.stdout).lines().any(|component| component.starts_with("rust-src")) {
        step("adding the standard library's source (rustup component rust-src)");
        cmd::run(Command::new("rustup").args(["component", "add", "rust-src"]))?;
    }
    step("fetching the standard library's crates");
    cmd::run(configure(&mut tools.command("cargo")).args(["fetch", "--locked", "--target", TARGET]).current_dir(root()))
}

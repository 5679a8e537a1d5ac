//! `cargo xtask`: the project's own commands.
//!
//! - `cargo xtask serve [server flags…]`: install what is missing, build the web
//!   app, run the server (SQLite under ./data) and print its URL.
//! - `cargo xtask test`: install what is missing, run every test (workspace and
//!   browser), print a closing summary, exit non-zero on any failure.
//! - `cargo xtask build`: install what is missing and build the web app into dist/.
//! - `cargo xtask bench`: run the benchmarks, which print figures (never asserted).
//! - `cargo xtask screenshot`: build everything and retake docs/screenshot.png.
//!
//! Every step says what it is doing; a prerequisite it cannot install is a clear
//! message naming what to install.

mod bootstrap;
mod cmd;
mod postgres;
mod serve;
mod test;
mod web_build;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <serve [server flags…] | test | build | bench | screenshot>";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    let result = match command.as_deref() {
        Some("serve") => serve::run(&rest),
        Some("test") => test::run(),
        Some("build") => bootstrap::web_tools().and_then(|tools| web_build::build(&tools)).map(|_| ()),
        Some("bench") => bench(),
        Some("screenshot") => test::screenshot(),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Every benchmark, in release mode. Each prints its own figures.
fn bench() -> anyhow::Result<()> {
    step("client engine throughput");
    cmd::run(std::process::Command::new("cargo").args(["bench", "-p", "hanmadi-client-core"]).current_dir(root()))?;
    step("server under load (hanmadi-load: 200 clients, 10 rooms, 500 msg/s, 15 s)");
    cmd::run(
        std::process::Command::new("cargo")
            .args(["run", "--release", "-p", "hanmadi-load", "--"])
            .args(["--clients", "200", "--rooms", "10", "--rate", "500", "--seconds", "15"])
            .current_dir(root()),
    )?;
    step("the web app in Chromium (a 10,000-message room, typing during a ticker flood)");
    let tools = bootstrap::web_tools()?;
    bootstrap::browser_tools(&tools)?;
    web_build::build(&tools)?;
    cmd::run(tools.command("cargo").args(["build", "--release", "--package", "hanmadi-server"]).current_dir(root()))?;
    cmd::run(test::browser_command_with(&tools, "release").arg("bench.mjs"))
}

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_owned()
}

/// Prints a step heading, so a long run reads as a list of what it did.
fn step(what: &str) {
    println!("\n==> {what}");
}

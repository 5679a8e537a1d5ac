//! `cargo xtask`: the project's own commands.
//!
//! - `cargo xtask serve [server flags…]`: install what is missing, build the web
//!   app, run the server (SQLite under ./data) and print its URL.
//! - `cargo xtask test`: install what is missing, run every test (workspace and
//!   browser), print a closing summary, exit non-zero on any failure.
//! - `cargo xtask build`: install what is missing and build the web app into dist/.
//! - `cargo xtask bench [engine | servers | restarts | storm | search | bundle | browser]`:
//!   run the benchmarks (or one of them), which print figures (never asserted);
//!   `restarts` is the exactly-once soak through 50 SIGKILL restarts, `storm` 200
//!   clients coming back after one, `search` searches in a 10,000-message room,
//!   `bundle` prints where the web app's bytes go.
//! - `cargo xtask screenshot`: build everything and retake docs/screenshot.png.
//!
//! Every step says what it is doing; a prerequisite it cannot install is a clear
//! message naming what to install.

mod bench;
mod bootstrap;
mod bundle_bench;
mod cmd;
mod postgres;
mod search_bench;
mod serve;
mod std_for_size;
mod test;
mod web_build;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Instant;

const USAGE: &str =
    "usage: cargo xtask <serve [server flags…] | test | build | bench [engine | servers | restarts | storm | search | bundle | browser] | screenshot>";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    let result = match command.as_deref() {
        Some("serve") => serve::run(&rest),
        Some("test") => test::run(),
        Some("build") => bootstrap::web_tools().and_then(|tools| web_build::build(&tools)).map(|_| ()),
        Some("bench") => bench(rest.first().map(String::as_str)),
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

/// The benchmarks `cargo xtask bench` can be limited to, in the order it runs them.
const BENCHMARKS: [&str; 7] = ["engine", "servers", "restarts", "storm", "search", "bundle", "browser"];

/// Every benchmark, or the one named, in release mode. Each prints its own figures.
fn bench(only: Option<&str>) -> anyhow::Result<()> {
    if let Some(name) = only.filter(|name| !BENCHMARKS.contains(name)) {
        anyhow::bail!("no benchmark is called {name:?}\n{USAGE}");
    }
    let wanted = |name: &str| only.is_none_or(|only| only == name);
    if wanted("engine") {
        step("client engine throughput");
        cmd::run(std::process::Command::new("cargo").args(["bench", "-p", "hanmadi-client-core"]).current_dir(root()))?;
    }
    if wanted("servers") {
        bench::run()?;
    }
    if wanted("restarts") {
        step("20 people talking through 50 SIGKILL restarts of the server (SQLite)");
        cmd::run(
            std::process::Command::new("cargo")
                .args(["test", "--release", "-p", "hanmadi-server", "--test", "restarts", "--", "--nocapture"])
                .env("HANMADI_SOAK_PEOPLE", "20")
                .env("HANMADI_SOAK_RESTARTS", "50")
                .env_remove("HANMADI_TEST_POSTGRES")
                .current_dir(root()),
        )?;
    }
    if wanted("storm") {
        step("200 clients coming back after a SIGKILL restart of the server (SQLite)");
        cmd::run(
            std::process::Command::new("cargo")
                .args(["test", "--release", "-p", "hanmadi-server", "--test", "restart_storm", "--", "--nocapture"])
                .env("HANMADI_STORM_CLIENTS", "200")
                .env_remove("HANMADI_TEST_POSTGRES")
                .current_dir(root()),
        )?;
    }
    if wanted("search") {
        search_bench::run()?;
    }
    if wanted("bundle") {
        step("where the web app's bytes go");
        bundle_bench::run(&bootstrap::web_tools()?)?;
    }
    if wanted("browser") {
        step("the web app in Chromium (cold open on a slow network, a 10,000-message room, typing during a ticker flood)");
        let tools = bootstrap::web_tools()?;
        bootstrap::browser_tools(&tools)?;
        web_build::build(&tools)?;
        cmd::run(
            tools.command("cargo").args(["build", "--release", "--package", "hanmadi-server"]).current_dir(root()),
        )?;
        cmd::run(test::browser_command(&tools, &built_binary("release", "hanmadi-server")).arg("bench.mjs"))?;
    }
    Ok(())
}

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_owned()
}

/// Where cargo puts the binary `name` built in `profile` ("debug", "release").
fn built_binary(profile: &str, name: &str) -> PathBuf {
    root().join("target").join(profile).join(name)
}

/// Prints a step heading, so a long run reads as a list of what it did, with
/// the time since its first step: where a CI run's minutes go.
fn step(what: &str) {
    static STARTED: OnceLock<Instant> = OnceLock::new();
    let elapsed = STARTED.get_or_init(Instant::now).elapsed().as_secs();
    println!("\n==> [{:>2}:{:02}] {what}", elapsed / 60, elapsed % 60);
}

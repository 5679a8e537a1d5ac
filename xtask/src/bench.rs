//! `cargo xtask bench servers`: the same workloads, in one run, against Hanmadi
//! and against a reference relay (`server/load/relay/relay.mjs`: the room server
//! a `ws` tutorial would write, which stores nothing), each started afresh for
//! each workload and driven by `hanmadi-load`; then one table with every figure
//! beside the relay's and as a ratio to it. Nothing is asserted: the targets are
//! printed beside the figures.

mod process;
mod table;
mod workloads;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::Context;
use serde_json::Value;

use self::process::Server;
use self::table::Table;
use self::workloads::{cross_node_rows, side_by_side, CROSS_NODE, LEGEND, WORKLOADS};
use crate::bootstrap::{self, Tools};
use crate::postgres::Postgres;
use crate::{built_binary, cmd, root, step};

/// One hanmadi-load run's whole allowance: setting up 10,000 sockets can take
/// minutes on a slow server, then come 10 s of sending and 2 s of draining.
const LOAD_LIMIT: Duration = Duration::from_secs(480);

/// Hanmadi's SQLite file in the run's folder; its write-ahead log is beside it.
const DATABASE_FILE: &str = "bench.db";

/// Open files each process needs for the idle workload: its 10,000 sockets
/// and some to spare.
const OPEN_FILES_NEEDED: u64 = 10_500;

pub fn run() -> anyhow::Result<()> {
    raise_open_files();
    step("building hanmadi-server and hanmadi-load (release)");
    cmd::run(
        Command::new("cargo")
            .args(["build", "--release", "--package", "hanmadi-server", "--package", "hanmadi-load"])
            .current_dir(root()),
    )?;
    let tools = Tools::new();
    bootstrap::npm_ci(&tools, &relay_dir())?;

    let mut table = Table::default();
    for (number, workload) in WORKLOADS.iter().enumerate() {
        let measured = |target: Target| {
            step(&format!("workload {}: {}, against {}", number + 1, workload.title, target.name()));
            measure(target, &tools, workload.load).inspect_err(|error| println!("    failed: {error:#}"))
        };
        let relay = workload.relay.then(|| measured(Target::Relay));
        let hanmadi = measured(Target::Hanmadi);
        side_by_side(&mut table, workload, relay.as_ref(), &hanmadi);
    }
    cross_node(&mut table);
    for line in LEGEND {
        table.note((*line).to_owned());
    }
    table.print();
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Relay,
    Hanmadi,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Relay => "relay",
            Target::Hanmadi => "hanmadi",
        }
    }
}

/// Starts the target afresh (a new database for Hanmadi) and runs hanmadi-load
/// against it.
fn measure(target: Target, tools: &Tools, load: &[&str]) -> anyhow::Result<Value> {
    let folder = tempfile::tempdir()?;
    let server = match target {
        Target::Relay => start_relay(tools)?,
        Target::Hanmadi => start_hanmadi(&sqlite_url(folder.path()), folder.path())?,
    };
    let pid = server.pid().to_string();
    let target_flags = ["--target", target.name(), "--url", &server.url, "--server-pid", &pid];
    let mut report = run_load(&[&target_flags, load].concat())?;
    if target == Target::Hanmadi {
        // Read while the server runs: SQLite removes the log as it closes.
        let log = std::fs::metadata(folder.path().join(format!("{DATABASE_FILE}-wal"))).map_or(0, |log| log.len());
        report["write_ahead_log_mib"] = (log as f64 / (1024.0 * 1024.0)).into();
    }
    Ok(report)
}

/// Starts a Hanmadi node on a free port of 127.0.0.1. Every flag the bench
/// gives the server is here, so that a new limit is raised in one place.
fn start_hanmadi(database_url: &str, folder: &Path) -> anyhow::Result<Server> {
    let mut command = Command::new(built_binary("release", "hanmadi-server"));
    command
        .args(["--bind", "127.0.0.1:0", "--database-url", database_url])
        .arg("--static-dir")
        .arg(folder.join("no-web-app"))
        .args(["--ticker-rate", "0", "--frames-per-sec", "1000000", "--actions-per-sec", "1000000"])
        // Every load client comes from 127.0.0.1.
        .args(["--max-sockets", "1000000", "--max-sockets-per-address", "1000000", "--sign-ups-per-minute", "1000000"])
        .args(["--api-calls-per-minute", "1000000"])
        // Warnings only (not the one about the missing web app): a log line
        // per socket would be measured too.
        .env("RUST_LOG", "warn,hanmadi_server::static_files=error")
        .env("NO_COLOR", "1");
    Server::start(command, "hanmadi", |line| {
        Some(line.strip_prefix("Hanmadi is running at ")?.trim_end_matches('/').to_owned())
    })
}

fn start_relay(tools: &Tools) -> anyhow::Result<Server> {
    let mut command = tools.command("node");
    command.arg(relay_dir().join("relay.mjs")).arg("0");
    Server::start(command, "relay", |line| {
        Some(format!("ws://127.0.0.1:{}", line.strip_prefix("relay listening on port ")?))
    })
}

/// Runs hanmadi-load with `args`; its human summary is shown as it ends, its
/// JSON line returned.
fn run_load(args: &[&str]) -> anyhow::Result<Value> {
    let mut command = Command::new(built_binary("release", "hanmadi-load"));
    command.args(args).arg("--json");
    let output = process::output_within(command, LOAD_LIMIT)?;
    let line = output.lines().rev().find(|line| !line.trim().is_empty()).context("hanmadi-load printed no figures")?;
    serde_json::from_str(line).context("hanmadi-load's figures are not JSON")
}

/// Workload 7: two Hanmadi nodes on one PostgreSQL. The receivers' latency with
/// everyone on node A, then with the receivers on node B: the difference is what
/// crossing nodes adds. Skipped without PostgreSQL.
fn cross_node(table: &mut Table) {
    step("workload 7: two Hanmadi nodes on one PostgreSQL (1 room × 10 people, 150 msg/s)");
    let postgres = match Postgres::start() {
        Ok(Some(postgres)) => postgres,
        Ok(None) => return table.note("workload 7 (two nodes) was skipped: PostgreSQL is not installed.".into()),
        Err(error) => return table.note(format!("workload 7 (two nodes) was skipped: {error:#}")),
    };
    let measured = (|| {
        let folder = tempfile::tempdir()?;
        let a = start_hanmadi(&postgres.admin_url, folder.path())?;
        let b = start_hanmadi(&postgres.admin_url, folder.path())?;
        step("workload 7: senders and receivers on node A");
        let same = run_load(&[&["--url", &a.url, "--receiver-url", &a.url], CROSS_NODE].concat());
        step("workload 7: senders on node A, receivers on node B");
        let across = run_load(&[&["--url", &a.url, "--receiver-url", &b.url], CROSS_NODE].concat());
        anyhow::Ok((same, across))
    })();
    let (same, across) = match measured {
        Ok(both) => both,
        Err(error) => return table.note(format!("workload 7 (two nodes) failed: {error:#}")),
    };
    for result in [&same, &across] {
        if let Err(error) = result {
            println!("    failed: {error:#}");
        }
    }
    cross_node_rows(table, &same, &across);
}

/// The idle workload holds 10,000 sockets in each process: raise the soft limit
/// on open files to the hard one. The servers and hanmadi-load inherit it.
fn raise_open_files() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) if limit < OPEN_FILES_NEEDED => {
            println!("    note: processes may open only {limit} files (`ulimit -Hn`): the idle workload will fail")
        }
        Ok(_) => {}
        Err(error) => println!("    note: cannot raise the open files limit ({error}): the idle workload may fail"),
    }
}

fn relay_dir() -> PathBuf {
    root().join("server/load/relay")
}

fn sqlite_url(folder: &Path) -> String {
    format!("sqlite://{}", folder.join(DATABASE_FILE).display())
}

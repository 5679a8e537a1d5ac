//! `cargo xtask bench search`: searches in a 10,000-message room, timed end
//! to end over HTTP on SQLite and, when one can be started, on a throwaway
//! PostgreSQL (`server/tests/search_speed.rs`, in release). It prints the
//! median and 95th percentile per kind of query beside the 50 ms target;
//! nothing is asserted about time.

use std::process::Command;

use crate::postgres::Postgres;
use crate::{cmd, root, step};

/// Messages in the big room.
const MESSAGES: &str = "10000";

pub fn run() -> anyhow::Result<()> {
    step("searching a 10,000-message room (SQLite)");
    cmd::run(speed_test().env_remove("HANMADI_TEST_POSTGRES"))?;
    match Postgres::start()? {
        Some(postgres) => {
            step("searching a 10,000-message room (PostgreSQL)");
            cmd::run(speed_test().env("HANMADI_TEST_POSTGRES", &postgres.admin_url))
        }
        None => {
            println!("    the PostgreSQL run was skipped: PostgreSQL is not installed");
            Ok(())
        }
    }
}

fn speed_test() -> Command {
    let mut command = Command::new("cargo");
    command
        .args(["test", "--release", "-p", "hanmadi-server", "--test", "search_speed", "--", "--nocapture"])
        .env("HANMADI_SEARCH_MESSAGES", MESSAGES)
        .current_dir(root());
    command
}

//! `cargo xtask serve`: build the app, then become the server.

use std::os::unix::process::CommandExt;
use std::process::Command;

use anyhow::Context;

use crate::{bootstrap, built_binary, cmd, root, step, web_build};

pub fn run(server_args: &[String]) -> anyhow::Result<()> {
    let tools = bootstrap::web_tools()?;
    let dist = web_build::build(&tools)?;
    step("building the server (release)");
    cmd::run(tools.command("cargo").args(["build", "--release", "--package", "hanmadi-server"]).current_dir(root()))?;
    step("starting the server (Ctrl-C stops it)");
    // exec, so that Ctrl-C and SIGTERM reach the server itself and it can close
    // every socket gracefully.
    let error = Command::new(built_binary("release", "hanmadi-server"))
        .arg("--static-dir")
        .arg(&dist)
        .args(server_args)
        .current_dir(root())
        .exec();
    Err(error).context("cannot start target/release/hanmadi-server")
}

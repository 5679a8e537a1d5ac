//! Running commands with messages that say what failed.

use std::ffi::OsStr;
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

/// Runs a command to completion with its output shown; an error if it fails.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    let shown = describe(command);
    let status = command.status().with_context(|| format!("cannot start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// The first line a tool prints for `--version`, or `None` if it is not installed.
pub fn version_of(program: impl AsRef<OsStr>, path: &str) -> Option<String> {
    let output = Command::new(program)
        .arg("--version")
        .env("PATH", path)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).lines().next().unwrap_or("").trim().to_owned())
}

pub fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|arg| arg.to_string_lossy().into_owned()));
    words.join(" ")
}

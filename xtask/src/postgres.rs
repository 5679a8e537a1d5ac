//! A throwaway PostgreSQL server on loopback for the storage tests, from Debian's
//! package: installed when missing (as root on Debian), started in a temporary
//! folder on a free port, stopped when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use crate::bootstrap::{apt_install, is_root};
use crate::{cmd, step};

pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    /// A URL with the rights to create databases.
    pub admin_url: String,
}

impl Postgres {
    /// Starts one, or explains why there is none (`Ok(None)`): the PostgreSQL
    /// runs of the storage tests are skipped then, the SQLite runs are not.
    pub fn start() -> anyhow::Result<Option<Self>> {
        let bin = match find_bin() {
            Some(bin) => bin,
            None if is_root() && Path::new("/usr/bin/apt-get").exists() => {
                step("installing PostgreSQL from Debian (for the storage tests)");
                apt_install(&["postgresql"])?;
                find_bin().context("PostgreSQL was installed but its programs are not where Debian puts them")?
            }
            None => {
                println!(
                    "    PostgreSQL is not installed: its storage tests are skipped (install Debian's postgresql)"
                );
                return Ok(None);
            }
        };
        step("starting a throwaway PostgreSQL on loopback");
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let data = std::env::temp_dir().join(format!("hanmadi-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data)?;
        if is_root() {
            // PostgreSQL refuses to run as root; Debian's package made this user.
            cmd::run(Command::new("chown").arg("postgres:postgres").arg(&data))?;
        }
        let data_arg = data.to_string_lossy().into_owned();
        cmd::run(&mut as_postgres(
            &bin.join("initdb"),
            &["-D", &data_arg, "-A", "trust", "-U", "postgres", "--no-sync"],
        ))?;
        let options = format!("-c listen_addresses=127.0.0.1 -p {port} -k {data_arg} -c fsync=off");
        let log = data.join("server.log").to_string_lossy().into_owned();
        cmd::run(&mut as_postgres(&bin.join("pg_ctl"), &["-D", &data_arg, "-o", &options, "-l", &log, "-w", "start"]))?;
        Ok(Some(Self { bin, data, admin_url: format!("postgres://postgres@127.0.0.1:{port}/postgres") }))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data.to_string_lossy().into_owned();
        let _ = as_postgres(&self.bin.join("pg_ctl"), &["-D", &data, "-m", "fast", "-w", "stop"]).status();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// The newest installed PostgreSQL's programs (`/usr/lib/postgresql/<n>/bin`).
fn find_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// Runs a PostgreSQL program as the `postgres` user when we are root. It runs
/// in the system's temporary folder: PostgreSQL's programs fail to find each
/// other when they cannot read their working directory (a checkout under /root).
fn as_postgres(program: &Path, args: &[&str]) -> Command {
    let mut command = if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    };
    command.args(args).current_dir(std::env::temp_dir());
    command
}

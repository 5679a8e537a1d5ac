//! The server's resident memory, read from `/proc/<pid>/status` (Linux). The
//! server runs as a process of its own, so that what is measured is the server
//! alone, never this load generator's side of the sockets.

use anyhow::Context;
use serde::Serialize;

/// Samples of one server process's memory, around opening the sockets.
#[derive(Debug, Default)]
pub struct ServerMemory {
    pid: Option<u32>,
    before_kib: Option<u64>,
}

/// The server's growth over the run's sockets.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct MemoryPerSocket {
    pub before_kib: u64,
    pub after_kib: u64,
    pub sockets: usize,
    pub per_socket_kib: f64,
}

impl ServerMemory {
    /// Watches `pid`; `None` measures nothing.
    pub fn of(pid: Option<u32>) -> Self {
        Self { pid, before_kib: None }
    }

    /// Takes the baseline.
    pub fn before(&mut self) -> anyhow::Result<()> {
        self.before_kib = self.pid.map(resident_kib).transpose()?;
        Ok(())
    }

    /// The growth since the baseline, shared out over `sockets`.
    pub fn per_socket(&self, sockets: usize) -> anyhow::Result<Option<MemoryPerSocket>> {
        let (Some(pid), Some(before_kib)) = (self.pid, self.before_kib) else {
            return Ok(None);
        };
        let after_kib = resident_kib(pid)?;
        let per_socket_kib = after_kib.saturating_sub(before_kib) as f64 / sockets.max(1) as f64;
        Ok(Some(MemoryPerSocket { before_kib, after_kib, sockets, per_socket_kib }))
    }
}

/// VmRSS of process `pid`, in KiB.
fn resident_kib(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:")?.trim().strip_suffix("kB")?.trim().parse().ok())
        .with_context(|| format!("no VmRSS line in {path}"))
}

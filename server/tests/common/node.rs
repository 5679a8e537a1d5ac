//! A real `hanmadi-server` process, for the stories that kill one with SIGKILL.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// One `hanmadi-server` process, killed (SIGKILL) when dropped.
pub struct Node {
    process: Child,
    pub addr: SocketAddr,
}

impl Node {
    /// Starts a node on `database_url`, on a free port, and waits until it listens.
    pub fn start(database_url: &str) -> Node {
        Self::start_with(database_url, &[])
    }

    /// [`Node::start`] with more flags: a limit raised for a crowd.
    pub fn start_with(database_url: &str, flags: &[String]) -> Node {
        let mut process = Command::new(env!("CARGO_BIN_EXE_hanmadi-server"))
            .args(["--bind", "127.0.0.1:0", "--static-dir", "no-dist", "--ticker-rate", "0"])
            .args(["--database-url", database_url])
            .args(flags)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        // The address is printed alone on a line; the rest of stdout (logs) is
        // drained so the process never blocks on a full pipe.
        let stdout = process.stdout.take().expect("piped");
        let (found, address) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("Hanmadi is running at http://") {
                    let _ = found.send(url.trim_end_matches('/').parse::<SocketAddr>().expect("an address"));
                }
            }
        });
        let addr = address.recv_timeout(Duration::from_secs(30)).expect("the node says where it listens");
        Node { process, addr }
    }

    /// Stops the process (SIGSTOP), as a debugger or a host short of memory
    /// would: it keeps its sockets and connections, and says nothing until
    /// [`Node::resume`].
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a paused process go on (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.process.id().to_string();
        let status = Command::new("kill").args([signal, &pid]).status().expect("kill runs");
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Kills the process with SIGKILL: no shutdown, no flush, as a crash would.
    pub fn kill(mut self) {
        self.process.kill().expect("SIGKILL");
        self.process.wait().expect("reaped");
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

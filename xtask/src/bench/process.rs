//! The bench's child processes: the servers it measures, killed when dropped so
//! that an error anywhere stops them all, and runs of the load generator, each
//! bounded in time.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::cmd;

/// How long a server may take to say it is listening.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A server process, and the URL it said it listens at.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// Starts `command` and waits for the stdout line from which `ready` reads its
    /// URL. Its other stdout lines are shown, marked with `name`.
    pub fn start(mut command: Command, name: &'static str, ready: fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let shown = cmd::describe(&command);
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start `{shown}`"))?;
        // Owned before anything can fail, so that a failure kills it.
        let mut server = Self { child, url: String::new() };
        let stdout = server.child.stdout.take().expect("stdout is piped");
        let (url_tx, url_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match ready(&line) {
                    Some(url) => {
                        let _ = url_tx.send(url);
                    }
                    None => println!("    [{name}] {line}"),
                }
            }
        });
        server.url = match url_rx.recv_timeout(READY_TIMEOUT) {
            Ok(url) => url,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                bail!("{name} did not say where it listens within {READY_TIMEOUT:?}")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = server.child.wait()?;
                bail!("{name} stopped before it was ready ({status})")
            }
        };
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `command` to completion within `limit` (killing it past that), with its
/// stderr shown, and returns its stdout.
pub fn output_within(mut command: Command, limit: Duration) -> anyhow::Result<String> {
    let shown = cmd::describe(&command);
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{shown}`"))?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    // Read on the side, so that a full pipe never stalls the child.
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!("`{shown}` did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = reader.join().expect("the stdout reader does not panic")?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(text)
}

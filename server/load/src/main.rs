//! `hanmadi-load`: drives real WebSocket clients against a running Hanmadi (or
//! against the bench's reference relay, `relay/relay.mjs`) and reports what was
//! sent, acknowledged and delivered, what was not, latency percentiles, and in
//! idle mode the server's memory per socket.
//!
//! ```sh
//! hanmadi-load --url http://127.0.0.1:8080 --rooms 100 --people 10 --rate 1000
//! hanmadi-load --target relay --url ws://127.0.0.1:9000 --rooms 1 --people 100 --rate 4000
//! hanmadi-load --url http://127.0.0.1:8080 --mode idle --rooms 1000 --people 10 --server-pid 1234
//! ```
//!
//! `cargo xtask bench` starts both targets and runs this for each workload.

mod connection;
mod drive;
mod hanmadi_client;
mod relay_client;
mod report;
mod rss;
mod stamp;
mod workload;

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Parser, ValueEnum};
use tokio::sync::watch;

use crate::connection::Speaker;
use crate::drive::{Clock, Launched, Launcher};
use crate::report::Report;
use crate::rss::ServerMemory;
use crate::workload::{Mode, Workload};

/// How long idle sockets sit before the server's memory is read, so that what
/// their setup allocated only for a moment has been given back.
const IDLE_SETTLE: Duration = Duration::from_secs(2);

#[derive(Parser)]
#[command(about = "Load generator for Hanmadi's chat server and the bench's reference relay")]
struct Args {
    /// What to drive.
    #[arg(long, value_enum, default_value_t = Target::Hanmadi)]
    target: Target,
    /// A node's address (`http://host:port` for Hanmadi, `ws://host:port` for the
    /// relay). Repeat it for several nodes: clients are spread round-robin.
    #[arg(long, required = true)]
    url: Vec<String>,
    /// Nodes for the people who only receive (round-robin); without it they
    /// use `--url` like everyone.
    #[arg(long)]
    receiver_url: Vec<String>,
    #[arg(long, value_enum, default_value_t = Mode::Traffic)]
    mode: Mode,
    #[arg(long, default_value_t = 10)]
    rooms: usize,
    /// People in each room (one guest user and one socket each).
    #[arg(long, default_value_t = 10)]
    people: usize,
    /// How many people of each room send; the rest only receive. Default: all.
    #[arg(long)]
    senders: Option<usize>,
    /// Messages per second across all senders; 0: as fast as the window allows.
    #[arg(long, default_value_t = 200.0)]
    rate: f64,
    /// How long to send for.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// How long to keep reading after sending stops.
    #[arg(long, default_value_t = 2.0)]
    drain_seconds: f64,
    /// Messages a sender may have unconfirmed; sends beyond are held back.
    #[arg(long, default_value_t = 64)]
    window: usize,
    /// The server's process id: in idle mode its memory per socket is reported.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Print one JSON line on stdout (the human summary goes to stderr).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    Hanmadi,
    Relay,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let workload = Workload {
        mode: args.mode,
        rooms: args.rooms,
        people: args.people,
        senders: args.senders.unwrap_or(args.people),
        rate: args.rate,
        send_for: Duration::from_secs_f64(args.seconds),
        drain_for: Duration::from_secs_f64(args.drain_seconds),
        window: args.window,
        urls: args.url.clone(),
        receiver_urls: args.receiver_url.clone(),
    };
    workload.check()?;
    if args.target == Target::Relay && workload.mode == Mode::Write {
        bail!("the relay stores and acknowledges nothing: --mode write is for Hanmadi only");
    }
    raise_open_files(workload.clients())?;
    let receivers = if args.receiver_url.is_empty() {
        String::new()
    } else {
        format!(" (receivers at {})", args.receiver_url.join(", "))
    };
    let header =
        format!("hanmadi-load: {:?} at {}{receivers}: {}", args.target, args.url.join(", "), workload.describe());
    if args.json {
        eprintln!("{header}");
    } else {
        println!("{header}");
    }

    let mut memory = ServerMemory::of(args.server_pid);
    let (launcher, start) = Launcher::new(&workload);
    let started = Instant::now();
    let report = match args.target {
        Target::Hanmadi => {
            let clients = hanmadi_client::setup(&workload, &launcher, &mut memory).await?;
            run("hanmadi", clients, start, &workload, &memory, started.elapsed()).await?
        }
        Target::Relay => {
            let clients = relay_client::setup(&workload, &launcher, &mut memory).await?;
            run("relay", clients, start, &workload, &memory, started.elapsed()).await?
        }
    };
    if args.json {
        eprint!("{}", report.human(&workload));
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.human(&workload));
    }
    Ok(())
}

/// Starts the run of every launched client: sends and reads until the drain
/// period ends, or sits idle for a moment and measures the server's memory.
async fn run<S: Speaker>(
    target: &'static str,
    clients: Vec<Launched<S>>,
    start: watch::Sender<Option<Clock>>,
    workload: &Workload,
    memory: &ServerMemory,
    set_up_in: Duration,
) -> anyhow::Result<Report> {
    let now = Instant::now();
    let clock = match workload.mode {
        Mode::Idle => Clock { start: now, stop_sending: now, stop_reading: now + IDLE_SETTLE },
        Mode::Traffic | Mode::Write => Clock {
            start: now,
            stop_sending: now + workload.send_for,
            stop_reading: now + workload.send_for + workload.drain_for,
        },
    };
    start.send_replace(Some(clock));
    let mut tallies = Vec::with_capacity(clients.len());
    // Kept open until the server's memory is read.
    let mut sockets = Vec::with_capacity(clients.len());
    for client in clients {
        let (tally, socket) = client.await.context("a client's task failed")?;
        tallies.push(tally);
        sockets.push(socket);
    }
    let per_socket = match workload.mode {
        Mode::Idle => memory.per_socket(sockets.len())?,
        Mode::Traffic | Mode::Write => None,
    };
    Ok(Report::new(target, S::ACKS, workload, &tallies, set_up_in, per_socket))
}

/// Every client is a socket, and so a file descriptor: raise the soft limit to
/// the hard one, and say so plainly when even that is too few.
fn raise_open_files(clients: usize) -> anyhow::Result<()> {
    let limit = rlimit::increase_nofile_limit(u64::MAX).context("cannot raise the open files limit")?;
    // Besides the sockets: HTTP connections during setup, stdio, the runtime.
    let needed = clients as u64 + 2 * connection::SETUP_CONCURRENCY as u64 + 64;
    if limit < needed {
        bail!(
            "{clients} clients need about {needed} open files, and this process may open {limit}: raise `ulimit -Hn`"
        );
    }
    Ok(())
}

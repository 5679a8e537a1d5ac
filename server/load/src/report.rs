//! The run's figures: every client's tally merged, written for people or as one
//! JSON line (`--json`) for `cargo xtask bench` to put in its table.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use crate::drive::ClientTally;
use crate::rss::MemoryPerSocket;
use crate::workload::{Mode, Workload};

#[derive(Debug, Serialize)]
pub struct Report {
    /// `hanmadi` or `relay`.
    pub target: &'static str,
    /// The workload in words.
    pub workload: String,
    pub clients: usize,
    /// How long connecting every client into its room took.
    pub setup_seconds: f64,
    pub sent: u64,
    /// Sends skipped because the sender's window was full: the offered rate
    /// that was not sent.
    pub held_back: u64,
    /// Messages the target committed and acknowledged (Hanmadi only).
    pub acknowledged: Option<u64>,
    pub refused: Option<u64>,
    pub delivered: u64,
    /// Acknowledged (relay: sent) messages times the followers of their room.
    pub expected: u64,
    /// Expected deliveries that had not arrived when the drain period ended.
    pub undelivered: u64,
    /// Times the server told a client it had skipped live events.
    pub resyncs: u64,
    /// Clients whose socket the server closed (or that broke) during the run.
    pub disconnected: usize,
    /// Deliveries while the senders sent, per second of sending.
    pub deliveries_per_sec: f64,
    pub acks_per_sec: Option<f64>,
    /// Send to delivery, at every member (the sender included).
    pub latency_ms: Option<Latency>,
    /// The same at the members who do not send, when some do not.
    pub receiver_latency_ms: Option<Latency>,
    /// Idle mode, with `--server-pid`.
    pub server_memory: Option<MemoryPerSocket>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Latency {
    pub samples: usize,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl Report {
    pub fn new(
        target: &'static str,
        acks: bool,
        workload: &Workload,
        tallies: &[ClientTally],
        set_up_in: Duration,
        server_memory: Option<MemoryPerSocket>,
    ) -> Self {
        let sum = |count: fn(&ClientTally) -> u64| tallies.iter().map(count).sum::<u64>();
        let followers = if workload.follows() { workload.people as u64 } else { 0 };
        let confirmed = |tally: &ClientTally| if acks { tally.acked } else { tally.sent };
        let expected = tallies.iter().map(|tally| confirmed(tally) * followers).sum();
        let delivered = sum(|tally| tally.delivered);
        let seconds = workload.send_for.as_secs_f64().max(f64::EPSILON);
        let acknowledged = acks.then(|| sum(|tally| tally.acked));
        let receivers_only = workload.senders < workload.people;
        Self {
            target,
            workload: workload.describe(),
            clients: tallies.len(),
            setup_seconds: set_up_in.as_secs_f64(),
            sent: sum(|tally| tally.sent),
            held_back: sum(|tally| tally.held_back),
            acknowledged,
            refused: acks.then(|| sum(|tally| tally.refused)),
            delivered,
            expected,
            undelivered: expected.saturating_sub(delivered),
            resyncs: sum(|tally| tally.resyncs),
            disconnected: tallies.iter().filter(|tally| tally.disconnected).count(),
            deliveries_per_sec: sum(|tally| tally.delivered_while_sending) as f64 / seconds,
            acks_per_sec: acknowledged.map(|acked| acked as f64 / seconds),
            latency_ms: Latency::of(tallies.iter()),
            receiver_latency_ms: receivers_only
                .then(|| Latency::of(tallies.iter().filter(|tally| !tally.sender)))
                .flatten(),
            server_memory,
        }
    }

    /// What people read.
    pub fn human(&self, workload: &Workload) -> String {
        let mut out = String::new();
        let line = &mut out;
        let _ = writeln!(line, "  clients              {:>10}   (set up in {:.1} s)", self.clients, self.setup_seconds);
        if workload.mode != Mode::Idle {
            let _ = writeln!(
                line,
                "  sent                 {:>10}   (held back by the window: {})",
                self.sent, self.held_back
            );
            if let (Some(acked), Some(refused)) = (self.acknowledged, self.refused) {
                let _ = writeln!(line, "  acknowledged         {acked:>10}   (refused: {refused})");
            }
            if let Some(acks) = self.acks_per_sec {
                let _ = writeln!(line, "  acknowledged/s       {acks:>10.0}");
            }
        }
        if workload.mode == Mode::Traffic {
            let _ = writeln!(
                line,
                "  delivered            {:>10}   of {} expected: {} undelivered, {} resyncs",
                self.delivered, self.expected, self.undelivered, self.resyncs
            );
            let _ = writeln!(line, "  deliveries/s         {:>10.0}", self.deliveries_per_sec);
            for (what, latency) in [("latency", self.latency_ms), ("at receivers", self.receiver_latency_ms)] {
                if let Some(Latency { p50, p99, max, .. }) = latency {
                    let _ = writeln!(line, "  {what:<13}p50/p99/max {p50:.2} / {p99:.2} / {max:.2} ms");
                }
            }
        }
        if self.disconnected > 0 {
            let _ =
                writeln!(line, "  sockets lost         {:>10}   (closed by the server, or broken)", self.disconnected);
        }
        if let Some(memory) = self.server_memory {
            let _ = writeln!(
                line,
                "  server memory        {:>10.1} KiB per socket (RSS {} → {} KiB over {} sockets)",
                memory.per_socket_kib, memory.before_kib, memory.after_kib, memory.sockets
            );
        }
        out
    }
}

impl Latency {
    /// Percentiles over every delivery of these clients; `None` without any.
    fn of<'a>(tallies: impl Iterator<Item = &'a ClientTally>) -> Option<Self> {
        let mut micros: Vec<u32> = tallies.flat_map(|tally| tally.latencies.iter().copied()).collect();
        micros.sort_unstable();
        let at = |p: f64| {
            let index = ((micros.len() as f64 * p) as usize).min(micros.len() - 1);
            Duration::from_micros(u64::from(micros[index])).as_secs_f64() * 1000.0
        };
        (!micros.is_empty()).then(|| Self { samples: micros.len(), p50: at(0.50), p99: at(0.99), max: at(1.0) })
    }
}

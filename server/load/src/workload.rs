//! The shape of a run: rooms × people, who sends, at what rate, for how long,
//! and which node each client connects to.

use std::time::Duration;

use anyhow::bail;
use clap::ValueEnum;

/// What the clients do once they are in their rooms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Senders send stamped messages; every member follows its room and reads.
    Traffic,
    /// Nobody sends: the sockets sit idle, and the server's memory per socket is
    /// measured (needs `--server-pid`).
    Idle,
    /// The durable write rate alone: members who follow no room (so nothing is
    /// delivered to anyone) send as fast as their actions are acknowledged.
    Write,
}

/// Everything about a run that does not depend on the target.
#[derive(Debug, Clone)]
pub struct Workload {
    pub mode: Mode,
    pub rooms: usize,
    pub people: usize,
    /// The first `senders` people of each room send; the others only receive.
    pub senders: usize,
    /// Messages per second across all senders; 0: as fast as the window allows.
    pub rate: f64,
    /// How long the senders send.
    pub send_for: Duration,
    /// How long everyone keeps reading after that, so that late deliveries count.
    pub drain_for: Duration,
    /// Messages a sender may have unconfirmed (not yet acknowledged by Hanmadi, or
    /// not yet echoed back by the relay); a send that would exceed it is held back.
    pub window: usize,
    /// Nodes everyone connects to (round-robin), or only the senders when
    /// `receiver_urls` is set.
    pub urls: Vec<String>,
    /// Nodes the receivers connect to (round-robin); empty: the same as senders.
    pub receiver_urls: Vec<String>,
}

impl Workload {
    pub fn check(&self) -> anyhow::Result<()> {
        if self.rooms == 0 || self.people == 0 {
            bail!("--rooms and --people must be at least 1");
        }
        if self.senders > self.people {
            bail!("--senders ({}) cannot exceed --people ({})", self.senders, self.people);
        }
        if self.window == 0 {
            bail!("--window must be at least 1");
        }
        if self.urls.is_empty() {
            bail!("give the target's address with --url");
        }
        Ok(())
    }

    pub fn clients(&self) -> usize {
        self.rooms * self.people
    }

    /// Client `index`'s room. Consecutive clients are in different rooms, so
    /// that rooms fill up side by side while clients connect.
    pub fn room_of(&self, index: usize) -> usize {
        index % self.rooms
    }

    /// Whether client `index` sends.
    pub fn sends(&self, index: usize) -> bool {
        self.mode != Mode::Idle && index / self.rooms < self.senders
    }

    /// Whether the clients follow their rooms (are delivered their messages).
    pub fn follows(&self) -> bool {
        self.mode != Mode::Write
    }

    /// The node client `index` connects to.
    pub fn url_of(&self, index: usize) -> &str {
        let urls = if self.sends(index) || self.receiver_urls.is_empty() { &self.urls } else { &self.receiver_urls };
        &urls[index % urls.len()]
    }

    /// Time between one sender's messages; `None`: as fast as the window allows.
    pub fn period(&self) -> Option<Duration> {
        let senders = self.rooms * self.senders;
        (self.rate > 0.0 && senders > 0).then(|| Duration::from_secs_f64(senders as f64 / self.rate))
    }

    /// One line for people: what this run is.
    pub fn describe(&self) -> String {
        let rate = if self.rate > 0.0 { format!("{} msg/s", self.rate) } else { "as fast as acknowledged".to_owned() };
        let shape = format!("{} × {}", count(self.rooms, "room", "rooms"), count(self.people, "person", "people"));
        match self.mode {
            Mode::Idle => format!("{shape}, idle"),
            Mode::Traffic | Mode::Write => format!(
                "{shape} ({} sending{}), {rate} for {} s, window {}",
                self.senders,
                if self.mode == Mode::Write { ", following no room" } else { "" },
                self.send_for.as_secs_f64(),
                self.window
            ),
        }
    }
}

/// "1 room", "2 rooms".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

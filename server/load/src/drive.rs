//! One client's run: read from the moment it is set up, then, once the run
//! starts, send stamped messages on schedule (senders only) and tally what
//! arrives. Each client keeps its own tally, merged once at the end: no lock is
//! taken per delivery.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::connection::{Connection, Incoming, Speaker};
use crate::stamp::Stamp;
use crate::workload::Workload;

/// When the run's phases end, shared by every client.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub start: Instant,
    pub stop_sending: Instant,
    pub stop_reading: Instant,
}

impl Clock {
    /// Microseconds from the start to `at`, the unit of stamps.
    fn micros(&self, at: Instant) -> u64 {
        at.duration_since(self.start).as_micros() as u64
    }
}

/// What one client saw.
#[derive(Debug, Default)]
pub struct ClientTally {
    pub sender: bool,
    pub sent: u64,
    /// Sends skipped because the window was full.
    pub held_back: u64,
    pub acked: u64,
    pub refused: u64,
    pub delivered: u64,
    /// Deliveries before sending stopped: the steady rate, without the drain.
    pub delivered_while_sending: u64,
    pub resyncs: u64,
    /// Whether the server closed the socket (or it broke) before the end.
    pub disconnected: bool,
    /// Send-to-delivery latency of each delivery, in microseconds.
    pub latencies: Vec<u32>,
}

/// A client's run: its tally, and its connection, still open, so that an
/// idle run can measure the server while every socket is there.
pub type Launched<S> = JoinHandle<(ClientTally, Connection<S>)>;

/// Starts each client's run as soon as it is set up. Until the run's clock is
/// given, the client reads and drops what the server sends it, as any real
/// client would: a socket left unread makes a server hold its frames, and that
/// would be measured as the server's cost.
pub struct Launcher {
    workload: Workload,
    clock: watch::Receiver<Option<Clock>>,
}

impl Launcher {
    /// The launcher, and where to give the clock once every client is set up.
    pub fn new(workload: &Workload) -> (Self, watch::Sender<Option<Clock>>) {
        let (start, clock) = watch::channel(None);
        (Self { workload: workload.clone(), clock }, start)
    }

    pub fn launch<S: Speaker>(&self, client: Connection<S>) -> Launched<S> {
        let sending = self
            .workload
            .sends(client.index)
            .then(|| Sending { period: self.workload.period(), window: self.workload.window });
        tokio::spawn(drive(client, sending, self.clock.clone()))
    }
}

/// What a sender does, if the client is one.
#[derive(Debug, Clone, Copy)]
struct Sending {
    /// `None`: send whenever the window has room.
    period: Option<Duration>,
    window: usize,
}

/// Runs one client until `clock.stop_reading`.
async fn drive<S: Speaker>(
    mut client: Connection<S>,
    sending: Option<Sending>,
    mut start: watch::Receiver<Option<Clock>>,
) -> (ClientTally, Connection<S>) {
    let index = client.index;
    let mut tally = ClientTally { sender: sending.is_some(), ..ClientTally::default() };
    let clock = loop {
        tokio::select! {
            // The clock first: a stamped message can only arrive after it was
            // given, and must not be dropped as a frame from before the start.
            biased;
            clock = start.wait_for(Option::is_some) => match clock.map(|clock| *clock) {
                Ok(Some(clock)) => break clock,
                // The run was called off.
                _ => return (tally, client),
            },
            message = client.socket.next() => if let None | Some(Err(_) | Ok(Message::Close(_))) = message {
                tally.disconnected = true;
                return (tally, client);
            },
        }
    };
    // Spread the senders' first messages over one period, so they do not all
    // send in the same millisecond.
    let spread = sending
        .and_then(|s| s.period)
        .map_or(Duration::ZERO, |period| period.mul_f64((index as f64 * 0.618_034) % 1.0));
    let mut next_send = clock.start + spread;
    let mut unconfirmed = 0usize;
    let wake = tokio::time::sleep_until(clock.stop_reading.into());
    tokio::pin!(wake);
    loop {
        let now = Instant::now();
        if now >= clock.stop_reading {
            break;
        }
        let mut due = 0u64;
        let mut wake_at = clock.stop_reading;
        if let Some(Sending { period, window }) = sending.filter(|_| now < clock.stop_sending) {
            match period {
                Some(period) => {
                    while next_send <= now {
                        next_send += period;
                        due += 1;
                    }
                    wake_at = next_send.min(clock.stop_sending);
                }
                None => due = window.saturating_sub(unconfirmed) as u64,
            }
            let room = window.saturating_sub(unconfirmed) as u64;
            tally.held_back += due.saturating_sub(room);
            due = due.min(room);
        }
        if due > 0 {
            if send_messages(&mut client, due, &clock).await.is_err() {
                tally.disconnected = true;
                break;
            }
            tally.sent += due;
            unconfirmed += due as usize;
        }
        if wake.deadline() != wake_at.into() {
            wake.as_mut().reset(wake_at.into());
        }
        let message = tokio::select! {
            () = &mut wake => continue,
            message = client.socket.next() => message,
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                tally.disconnected = true;
                break;
            }
            Some(Ok(_)) => continue,
        };
        match client.speaker.classify(text.as_str()) {
            Incoming::Delivered(stamp) => {
                let received = Instant::now();
                let latency = clock.micros(received).saturating_sub(stamp.sent_at);
                tally.latencies.push(u32::try_from(latency).unwrap_or(u32::MAX));
                tally.delivered += 1;
                if received < clock.stop_sending {
                    tally.delivered_while_sending += 1;
                }
                if !S::ACKS && stamp.from == index {
                    unconfirmed = unconfirmed.saturating_sub(1);
                }
            }
            Incoming::Acked => {
                tally.acked += 1;
                unconfirmed = unconfirmed.saturating_sub(1);
            }
            Incoming::Refused => {
                tally.refused += 1;
                unconfirmed = unconfirmed.saturating_sub(1);
            }
            Incoming::Resync => tally.resyncs += 1,
            Incoming::Other => {}
        }
    }
    (tally, client)
}

/// Queues `count` stamped messages and flushes them together.
async fn send_messages<S: Speaker>(client: &mut Connection<S>, count: u64, clock: &Clock) -> anyhow::Result<()> {
    for _ in 0..count {
        let text = Stamp { sent_at: clock.micros(Instant::now()), from: client.index }.text();
        let frame = client.speaker.message(&text);
        client.socket.feed(Message::text(frame)).await?;
    }
    client.socket.flush().await?;
    Ok(())
}

//! The brain of Hanmadi's one shared, reconnecting socket.
//!
//! This crate is *sans-IO*, in the style of quinn-proto and str0m: it never opens a
//! socket, reads a clock or sleeps. The browser adapter feeds it what happened
//! (`on_socket_open`, `on_frame`, `on_timeout`, …) together with the current
//! [`Instant`], then drains [`Connection::poll_output`] and performs each
//! [`Output`] (open a socket, send a frame, close a socket, show a status), and
//! arms one timer for [`Connection::poll_timeout`]. Randomness comes from a seed
//! in [`Config`]. Because of that, every rule of the connection policy is tested
//! here with a virtual clock, deterministically, without a browser.

mod backoff;
mod client;
mod config;
mod connection;
mod outbox;
mod presence;
mod rng;
mod room_streams;
mod status;
mod ticker;
mod time;
mod token_renewal;
mod typing;

pub use backoff::Backoff;
pub use client::{Client, Event, Output};
pub use config::Config;
pub use connection::{Connection, ConnectionOutput, SocketId};
pub use outbox::{ActionState, OutboxFull, PendingAction};
pub use room_streams::{GapOutcome, SequencedEvent};
pub use status::{FailReason, Status};
pub use ticker::TickerValue;
pub use time::Instant;

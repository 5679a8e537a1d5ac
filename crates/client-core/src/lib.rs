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
//!
//! # Driving a [`Client`]
//!
//! The contract, for whoever writes an adapter:
//!
//! - Every input takes `now`, a reading of a monotonic clock. Time must never
//!   go backwards between calls.
//! - After every input, drain [`Client::poll_output`] to the end, performing
//!   each [`Output`] in order, then arm one timer for [`Client::poll_timeout`]
//!   (replacing the previous one). When it fires, call [`Client::on_timeout`].
//! - Report each socket's events with the [`SocketId`] of the [`Output::Open`]
//!   that made it: `on_socket_open`, then `on_frame` per text frame, then
//!   `on_socket_closed` once. Events of a socket the engine closed or gave up
//!   are ignored, so a late one is harmless.
//! - Answer every [`Output::RefreshToken`] with exactly one of
//!   [`Client::on_token_refreshed`] or [`Client::on_token_refresh_unreachable`],
//!   and every [`Output::FetchRange`] with [`Client::on_history`] or
//!   [`Client::on_history_failed`].
//! - Keep what [`Output::SaveOutbox`] gives where it survives a reload, and hand
//!   it to [`Client::restore_outbox`] before [`Client::connect`] next time.
//! - Where tabs share one connection (see [`FromFollower`]), call
//!   [`Client::follow`] or [`Client::lead`] instead of [`Client::connect`]. A
//!   follower carries every [`Output::ToLeader`] to the leader's
//!   [`Client::on_follower`], and is given what the leader's socket receives
//!   ([`Client::on_leader_frame`]), its status ([`Client::on_leader_status`]),
//!   every [`Output::ToFollowers`] ([`Client::on_leader`]) and each outbox it
//!   saves ([`Client::on_leader_outbox`]); when another tab takes the lead,
//!   [`Client::on_new_leader`]. Reads made in one tab go to every other's
//!   [`Client::on_read_in_other_tab`].
//!
//! A whole run against a server that welcomes us, in a few lines:
//!
//! ```
//! use std::time::Duration;
//! use hanmadi_client_core::{Client, Config, Instant, Output, Status};
//! use hanmadi_protocol::{decode_client, encode, ClientFrame, ServerFrame, PROTOCOL_VERSION};
//!
//! let mut client = Client::new(Config::new("wss://chat.example/ws", 7));
//! let mut now = Instant::from_millis(0);
//! client.set_token(Some("a session token".into()));
//! client.connect(now);
//! let mut opened = None;
//! for _ in 0..10 {
//!     while let Some(output) = client.poll_output() {
//!         match output {
//!             Output::Open { socket, .. } => opened = Some(socket),
//!             Output::Send { text, .. } => {
//!                 // The server's side of the conversation, played here.
//!                 if let Ok(ClientFrame::Hello { .. }) = decode_client(&text) {
//!                     let welcome = ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: None };
//!                     client.on_frame(now, opened.unwrap(), &encode(&welcome));
//!                 }
//!             }
//!             _ => {}
//!         }
//!     }
//!     if client.status() == &Status::Connected {
//!         break;
//!     }
//!     if let Some(socket) = opened.filter(|_| client.status() == &Status::Connecting) {
//!         client.on_socket_open(now, socket);
//!         continue;
//!     }
//!     // Nothing to do until the timer the engine asked for.
//!     now = client.poll_timeout().unwrap_or(now + Duration::from_secs(1)).max(now);
//!     client.on_timeout(now);
//! }
//! assert_eq!(client.status(), &Status::Connected);
//! ```

mod backoff;
mod client;
mod config;
mod connection;
mod outbox;
mod presence;
mod read_positions;
mod rng;
mod room_streams;
pub mod sorted_map;
pub mod sorting;
mod status;
mod tabs;
mod ticker;
mod time;
mod token_renewal;
mod typing;

pub use backoff::Backoff;
pub use client::{Client, Event, Output};
pub use config::Config;
pub use connection::{Connection, ConnectionOutput, SocketId};
pub use outbox::{stays_when_refused, ActionState, OutboxFull, PendingAction};
pub use room_streams::{last_says_left, GapOutcome, SequencedEvent};
pub use status::{FailReason, Status};
pub use tabs::{FromFollower, FromLeader};
pub use ticker::TickerValue;
pub use time::Instant;

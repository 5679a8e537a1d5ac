//! What both targets' clients share: opening a socket, waiting for a frame
//! during setup, and the [`Speaker`] that writes and reads a target's frames
//! during the run.

use std::time::Duration;

use anyhow::{bail, Context};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::stamp::Stamp;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long setup waits for any one answer. Bounds a run against a server that
/// stopped answering.
const SETUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Setups in flight at once: enough to keep the server busy, few enough that
/// thousands of clients do not all time out waiting in its accept queue.
pub const SETUP_CONCURRENCY: usize = 64;

/// What one incoming frame means for the tally.
pub enum Incoming {
    /// A stamped message, delivered.
    Delivered(Stamp),
    /// A message was accepted (Hanmadi: committed).
    Acked,
    /// A message was refused.
    Refused,
    /// The server skipped live events for this client and asks it to catch up
    /// from history: what it skipped is not delivered live.
    Resync,
    Other,
}

/// How one target's frames are written and read during the run.
pub trait Speaker: Send + 'static {
    /// Whether the target answers each message. Without answers, a sender's
    /// own copy of its message confirms it.
    const ACKS: bool;

    /// The frame that sends `text` to the client's room.
    fn message(&mut self, text: &str) -> String;

    /// What a text frame means. Called for every frame, so it must be cheap for
    /// deliveries.
    fn classify(&self, frame: &str) -> Incoming;
}

/// A client in its room, ready to run.
pub struct Connection<S> {
    pub index: usize,
    pub socket: Socket,
    pub speaker: S,
}

/// Opens a socket to `url` (`ws://…`), without Nagle's delay, which would add
/// tens of milliseconds to small frames and be measured as the target's latency.
pub async fn open(url: &str) -> anyhow::Result<Socket> {
    // Small buffers: an idle run holds thousands of sockets in this process.
    let config = WebSocketConfig::default().read_buffer_size(16 * 1024);
    let connect = tokio_tungstenite::connect_async_with_config(url, Some(config), true);
    let (socket, _) = tokio::time::timeout(SETUP_TIMEOUT, connect)
        .await
        .with_context(|| format!("no connection to {url} within {SETUP_TIMEOUT:?}"))?
        .with_context(|| format!("cannot open a socket to {url}"))?;
    Ok(socket)
}

pub async fn send(socket: &mut Socket, frame: String) -> anyhow::Result<()> {
    socket.send(Message::text(frame)).await.context("cannot send on the socket")
}

/// Reads text frames until `pick` finds what it looks for in one.
pub async fn until<T>(
    socket: &mut Socket,
    mut pick: impl FnMut(&str) -> anyhow::Result<Option<T>>,
) -> anyhow::Result<T> {
    loop {
        let message = tokio::time::timeout(SETUP_TIMEOUT, socket.next())
            .await
            .with_context(|| format!("the server did not answer within {SETUP_TIMEOUT:?}"))?
            .context("the server closed the socket")?
            .context("the socket failed")?;
        match message {
            Message::Text(text) => {
                if let Some(found) = pick(text.as_str())? {
                    return Ok(found);
                }
            }
            Message::Close(frame) => match frame {
                Some(frame) => bail!("the server closed the socket: {} {}", frame.code, frame.reason),
                None => bail!("the server closed the socket"),
            },
            _ => {}
        }
    }
}

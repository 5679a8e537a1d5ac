//! The reference relay's side (`relay/relay.mjs`): a socket per client that
//! joins its room by name; messages go to the room as `{"type":"message","text"}`
//! and come back to every member, the sender included.

use futures_util::{stream, StreamExt, TryStreamExt};
use serde_json::json;

use crate::connection::{self, Connection, Incoming, Speaker, SETUP_CONCURRENCY};
use crate::drive::{Launched, Launcher};
use crate::rss::ServerMemory;
use crate::stamp::Stamp;
use crate::workload::Workload;

/// A relay client's frames during the run.
pub struct Relay;

impl Speaker for Relay {
    /// The relay stores nothing and answers nothing: a sender's own copy
    /// coming back is the only sign its message went through.
    const ACKS: bool = false;

    fn message(&mut self, text: &str) -> String {
        json!({ "type": "message", "text": text }).to_string()
    }

    fn classify(&self, frame: &str) -> Incoming {
        match Stamp::find(frame) {
            Some(stamp) => Incoming::Delivered(stamp),
            None => Incoming::Other,
        }
    }
}

/// Connects every client of `workload`, each in its room, and launches it.
/// `memory` is sampled before the first socket opens.
pub async fn setup(
    workload: &Workload,
    launcher: &Launcher,
    memory: &mut ServerMemory,
) -> anyhow::Result<Vec<Launched<Relay>>> {
    memory.before()?;
    stream::iter(0..workload.clients())
        .map(|index| async move {
            let url = workload.url_of(index).trim_end_matches('/').replacen("http", "ws", 1);
            let mut socket = connection::open(&url).await?;
            let join = json!({ "type": "join", "room": format!("room {}", workload.room_of(index)) });
            connection::send(&mut socket, join.to_string()).await?;
            connection::until(&mut socket, |frame| Ok(frame.contains(r#""type":"joined""#).then_some(()))).await?;
            Ok(launcher.launch(Connection { index, socket, speaker: Relay }))
        })
        .buffered(SETUP_CONCURRENCY)
        .try_collect()
        .await
}

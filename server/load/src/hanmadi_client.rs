//! Hanmadi's side: guest sessions over HTTP, then per client a socket that says
//! hello, creates or joins its room and follows it. Setup speaks through the
//! protocol crate's types, so it stays in step with the server; only the run's
//! hot path looks at deliveries as text (see [`crate::stamp`]).

use anyhow::{bail, Context};
use futures_util::{stream, StreamExt, TryStreamExt};
use hanmadi_protocol::http::{NameRequest, Session};
use hanmadi_protocol::{
    decode_server, encode, Action, ActionKey, ClientFrame, Cursor, Outcome, RoomId, Seq, ServerFrame, PROTOCOL_VERSION,
};

use crate::connection::{self, Connection, Incoming, Socket, Speaker, SETUP_CONCURRENCY};
use crate::drive::{Launched, Launcher};
use crate::rss::ServerMemory;
use crate::stamp::Stamp;
use crate::workload::Workload;

/// A Hanmadi client's frames during the run.
pub struct Hanmadi {
    index: usize,
    room: RoomId,
    next_key: u64,
}

impl Hanmadi {
    fn key(&mut self) -> ActionKey {
        self.next_key += 1;
        ActionKey::new(format!("load-{}-{}", self.index, self.next_key)).expect("a valid key")
    }
}

impl Speaker for Hanmadi {
    const ACKS: bool = true;

    fn message(&mut self, text: &str) -> String {
        let action =
            Action::SendMessage { room: self.room, text: text.to_owned(), reply_to: None, attachments: Vec::new() };
        encode(&ClientFrame::Action { key: self.key(), action })
    }

    fn classify(&self, frame: &str) -> Incoming {
        if let Some(stamp) = Stamp::find(frame) {
            return Incoming::Delivered(stamp);
        }
        match decode_server(frame) {
            Ok(ServerFrame::Ack { outcome: Outcome::Applied { .. }, .. }) => Incoming::Acked,
            Ok(ServerFrame::Ack { outcome: Outcome::Rejected { .. }, .. }) => Incoming::Refused,
            Ok(ServerFrame::Resync { .. }) => Incoming::Resync,
            _ => Incoming::Other,
        }
    }
}

/// Connects every client of `workload`, each in its room, and launches it.
/// `memory` is sampled once the sessions exist and before any socket opens, so
/// that memory per socket counts sockets, not the users behind them.
pub async fn setup(
    workload: &Workload,
    launcher: &Launcher,
    memory: &mut ServerMemory,
) -> anyhow::Result<Vec<Launched<Hanmadi>>> {
    let http = reqwest::Client::new();
    let tokens: Vec<String> = stream::iter(0..workload.clients())
        .map(|index| session(&http, base_url(workload.url_of(index)), index))
        .buffered(SETUP_CONCURRENCY)
        .try_collect()
        .await?;
    memory.before()?;

    // The first person of each room creates it; clients 0..rooms are they.
    let creators: Vec<(Launched<Hanmadi>, RoomId)> = stream::iter(0..workload.rooms)
        .map(|index| enter(workload, launcher, index, &tokens[index], None))
        .buffered(SETUP_CONCURRENCY)
        .try_collect()
        .await?;
    let rooms: Vec<RoomId> = creators.iter().map(|(_, room)| *room).collect();
    let members: Vec<(Launched<Hanmadi>, RoomId)> = stream::iter(workload.rooms..workload.clients())
        .map(|index| enter(workload, launcher, index, &tokens[index], Some(rooms[workload.room_of(index)])))
        .buffered(SETUP_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(creators.into_iter().chain(members).map(|(launched, _)| launched).collect())
}

/// Brings client `index` into its room (a new one when `room` is `None`),
/// following it unless the workload says not to, and launches it.
async fn enter(
    workload: &Workload,
    launcher: &Launcher,
    index: usize,
    token: &str,
    room: Option<RoomId>,
) -> anyhow::Result<(Launched<Hanmadi>, RoomId)> {
    let mut socket = hello(workload.url_of(index), token).await?;
    let action = match room {
        Some(room) => Action::JoinRoom { room },
        None => Action::CreateRoom { name: format!("load {index}"), private: false },
    };
    let room = match act(&mut socket, index, action).await? {
        Outcome::Applied { room, .. } => room,
        other => bail!("client {index} cannot enter its room: {other:?}"),
    };
    if workload.follows() {
        follow(&mut socket, room).await?;
    }
    let speaker = Hanmadi { index, room, next_key: 1 };
    Ok((launcher.launch(Connection { index, socket, speaker }), room))
}

/// `http://host:port` for the API, whichever scheme `url` was given with.
fn base_url(url: &str) -> String {
    let url = url.trim_end_matches('/');
    match url.strip_prefix("ws://") {
        Some(rest) => format!("http://{rest}"),
        None => url.to_owned(),
    }
}

async fn session(http: &reqwest::Client, base: String, index: usize) -> anyhow::Result<String> {
    let session: Session = http
        .post(format!("{base}/api/session"))
        .json(&NameRequest { name: format!("load {index}") })
        .send()
        .await
        .with_context(|| format!("cannot reach {base}"))?
        .error_for_status()
        .context("a guest session was refused")?
        .json()
        .await?;
    Ok(session.token)
}

/// A socket that said hello with `token` and was welcomed.
async fn hello(url: &str, token: &str) -> anyhow::Result<Socket> {
    let ws_url = format!("{}/ws", base_url(url).replacen("http", "ws", 1));
    let mut socket = connection::open(&ws_url).await?;
    let hello = ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some(token.to_owned()) };
    connection::send(&mut socket, encode(&hello)).await?;
    connection::until(&mut socket, |frame| {
        Ok(matches!(decode_server(frame)?, ServerFrame::Welcome { .. }).then_some(()))
    })
    .await
    .context("no welcome")?;
    Ok(socket)
}

/// Applies one setup action and waits for its outcome. Key 1 of each client.
async fn act(socket: &mut Socket, index: usize, action: Action) -> anyhow::Result<Outcome> {
    let key = ActionKey::new(format!("load-{index}-1")).expect("a valid key");
    connection::send(socket, encode(&ClientFrame::Action { key: key.clone(), action })).await?;
    connection::until(socket, |frame| {
        Ok(match decode_server(frame)? {
            ServerFrame::Ack { key: acked, outcome } if acked == key => Some(outcome),
            _ => None,
        })
    })
    .await
}

/// Follows `room` from its start, until the server says it is caught up.
async fn follow(socket: &mut Socket, room: RoomId) -> anyhow::Result<()> {
    let cursors = vec![Cursor { room, after: Seq::ZERO }];
    connection::send(socket, encode(&ClientFrame::Resume { cursors })).await?;
    connection::until(socket, |frame| {
        Ok(match decode_server(frame)? {
            ServerFrame::CaughtUp { room: caught_up, .. } => (caught_up == room).then_some(()),
            ServerFrame::NotMember { room: refused } if refused == room => {
                bail!("cannot follow room {room}: not a member")
            }
            ServerFrame::Error { code, message } => {
                bail!("cannot follow room {room}: {code:?}: {message}")
            }
            _ => None,
        })
    })
    .await
}

//! `hanmadi-load`: drives N real WebSocket clients in M rooms at a total rate of
//! R messages per second for D seconds, then prints delivered messages per
//! second, latency percentiles (send to delivery at every other member) and, when
//! it runs the server itself, the server's memory per connection.
//!
//! ```sh
//! cargo run --release -p hanmadi-load -- --clients 200 --rooms 10 --rate 500 --seconds 20
//! cargo run --release -p hanmadi-load -- --url http://127.0.0.1:8080   # a running server
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use hanmadi_protocol::{
    decode_server, encode, Action, ActionKey, ClientFrame, Cursor, Outcome, RoomEvent, RoomId, Seq, ServerFrame,
    PROTOCOL_VERSION,
};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
#[command(about = "Load generator for Hanmadi's chat server")]
struct Args {
    /// Connected clients (one guest user each).
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// Rooms; client i joins room i mod rooms.
    #[arg(long, default_value_t = 10)]
    rooms: usize,
    /// Messages per second, across all clients.
    #[arg(long, default_value_t = 200)]
    rate: u32,
    /// How long to send for.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// A running server (http://host:port). Without it, a server is started in
    /// this process on a fresh SQLite file, and its memory is measured too.
    #[arg(long)]
    url: Option<String>,
}

/// Latencies in microseconds, and counts, shared by all clients.
#[derive(Default)]
struct Tally {
    latencies: Mutex<Vec<u64>>,
    delivered: AtomicU64,
    acked: AtomicU64,
    refused: AtomicU64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.clients == 0 || args.rooms == 0 {
        bail!("--clients and --rooms must be at least 1");
    }
    let folder = tempfile::tempdir()?;
    let (base, server) = match &args.url {
        Some(url) => (url.trim_end_matches('/').to_owned(), None),
        None => {
            let mut config =
                hanmadi_server::Config::for_tests(format!("sqlite://{}", folder.path().join("load.db").display()));
            config.static_dir = folder.path().join("no-dist");
            config.ticker_rate = 0;
            let server = hanmadi_server::start(config).await?;
            (format!("http://{}", server.local_addr()), Some(server))
        }
    };
    let ws_url = format!("{}/ws", base.replacen("http", "ws", 1));
    println!(
        "hanmadi-load: {} clients, {} rooms, {} msg/s for {} s against {base}",
        args.clients, args.rooms, args.rate, args.seconds
    );

    let rss_before = resident_kib();
    let http = reqwest::Client::new();
    let mut clients = Vec::new();
    for i in 0..args.clients {
        clients.push(LoadClient::connect(&http, &base, &ws_url, i).await?);
    }
    let mut rooms = Vec::new();
    for r in 0..args.rooms {
        rooms.push(clients[r % args.clients].create_room(&format!("load {r}")).await?);
    }
    for (i, client) in clients.iter_mut().enumerate() {
        client.join(rooms[i % args.rooms]).await?;
    }
    let rss_connected = resident_kib();

    let tally = Arc::new(Tally::default());
    let start = Instant::now();
    let per_client = f64::from(args.rate) / args.clients as f64;
    let send_for = Duration::from_secs(args.seconds);
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|client| tokio::spawn(client.run(per_client, start, send_for, Arc::clone(&tally))))
        .collect();
    for task in tasks {
        task.await??;
    }
    let elapsed = start.elapsed().as_secs_f64();

    let mut latencies = std::mem::take(&mut *tally.latencies.lock().await);
    latencies.sort_unstable();
    let percentile = |p: f64| latencies.get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)));
    let delivered = tally.delivered.load(Ordering::Relaxed);
    println!("  sent and acknowledged  {:>10}", tally.acked.load(Ordering::Relaxed));
    println!("  refused (rate limit)   {:>10}", tally.refused.load(Ordering::Relaxed));
    println!("  delivered to members   {:>10}  ({:.0} deliveries/s)", delivered, delivered as f64 / elapsed);
    if let (Some(p50), Some(p99)) = (percentile(0.50), percentile(0.99)) {
        println!("  latency p50 / p99      {:>7.2} ms / {:.2} ms", *p50 as f64 / 1000.0, *p99 as f64 / 1000.0);
    }
    if let (Some(before), Some(connected)) = (rss_before, rss_connected) {
        if server.is_some() {
            let per_connection = connected.saturating_sub(before) as f64 / args.clients as f64;
            println!("  memory per connection  {per_connection:>7.1} KiB (process RSS, server and client sides)");
        }
    }
    if let Some(server) = server {
        server.shutdown().await?;
    }
    Ok(())
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct LoadClient {
    socket: Socket,
    index: usize,
    next_key: u64,
    room: Option<RoomId>,
}

impl LoadClient {
    async fn connect(http: &reqwest::Client, base: &str, ws_url: &str, index: usize) -> anyhow::Result<Self> {
        let session: serde_json::Value = http
            .post(format!("{base}/api/session"))
            .json(&serde_json::json!({ "name": format!("load {index}") }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = session["token"].as_str().context("no token in the session")?.to_owned();
        let (socket, _) = tokio_tungstenite::connect_async(ws_url).await?;
        let mut client = Self { socket, index, next_key: 0, room: None };
        client.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some(token) }).await?;
        client.until(|frame| matches!(frame, ServerFrame::Welcome { .. }).then_some(())).await?;
        Ok(client)
    }

    async fn create_room(&mut self, name: &str) -> anyhow::Result<RoomId> {
        match self.act(Action::CreateRoom { name: name.into() }).await? {
            Outcome::Applied { room, .. } => Ok(room),
            other => bail!("cannot create a room: {other:?}"),
        }
    }

    async fn join(&mut self, room: RoomId) -> anyhow::Result<()> {
        self.act(Action::JoinRoom { room }).await?;
        self.send(&ClientFrame::Resume { cursors: vec![Cursor { room, after: Seq::ZERO }] }).await?;
        self.until(|frame| matches!(frame, ServerFrame::CaughtUp { room: r, .. } if *r == room).then_some(())).await?;
        self.room = Some(room);
        Ok(())
    }

    async fn act(&mut self, action: Action) -> anyhow::Result<Outcome> {
        let key = self.key();
        self.send(&ClientFrame::Action { key: key.clone(), action }).await?;
        self.until(|frame| match frame {
            ServerFrame::Ack { key: acked, outcome } if *acked == key => Some(outcome.clone()),
            _ => None,
        })
        .await
    }

    /// Sends at `rate` per second until `send_for` has passed, reading all along;
    /// then reads for two more seconds so that late deliveries count.
    async fn run(mut self, rate: f64, start: Instant, send_for: Duration, tally: Arc<Tally>) -> anyhow::Result<()> {
        let room = self.room.context("not in a room")?;
        let period = Duration::from_secs_f64(1.0 / rate.max(0.001));
        // Spread the clients' first sends over one period.
        let mut next_send = start + period.mul_f64((self.index as f64 * 0.618_034) % 1.0);
        let stop_reading = start + send_for + Duration::from_secs(2);
        loop {
            let now = Instant::now();
            if now >= stop_reading {
                return Ok(());
            }
            let sending = now < start + send_for;
            let wake = if sending { next_send.min(stop_reading) } else { stop_reading };
            tokio::select! {
                () = tokio::time::sleep_until(wake.into()) => {
                    if sending && Instant::now() >= next_send {
                        next_send += period;
                        let stamp = start.elapsed().as_micros();
                        let key = self.key();
                        let action = Action::SendMessage { room, text: format!("t={stamp}") };
                        self.send(&ClientFrame::Action { key, action }).await?;
                    }
                }
                message = self.socket.next() => {
                    let Some(message) = message else { bail!("the server closed client {}", self.index) };
                    let Message::Text(text) = message? else { continue };
                    match decode_server(text.as_bytes())? {
                        ServerFrame::Event { event: RoomEvent::Message { text, .. }, .. } => {
                            if let Some(sent) = text.strip_prefix("t=").and_then(|t| t.parse::<u128>().ok()) {
                                let latency = start.elapsed().as_micros().saturating_sub(sent) as u64;
                                tally.latencies.lock().await.push(latency);
                                tally.delivered.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        ServerFrame::Ack { outcome: Outcome::Applied { .. }, .. } => {
                            tally.acked.fetch_add(1, Ordering::Relaxed);
                        }
                        ServerFrame::Ack { outcome: Outcome::Rejected { .. }, .. } => {
                            tally.refused.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    fn key(&mut self) -> ActionKey {
        self.next_key += 1;
        ActionKey::new(format!("load-{}-{}", self.index, self.next_key)).expect("a valid key")
    }

    async fn send(&mut self, frame: &ClientFrame) -> anyhow::Result<()> {
        self.socket.send(Message::text(encode(frame))).await?;
        Ok(())
    }

    async fn until<T>(&mut self, mut pick: impl FnMut(&ServerFrame) -> Option<T>) -> anyhow::Result<T> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(30), self.socket.next())
                .await
                .context("the server did not answer within 30 s")?
                .context("the server closed the socket")??;
            if let Message::Text(text) = message {
                if let Some(found) = pick(&decode_server(text.as_bytes())?) {
                    return Ok(found);
                }
            }
        }
    }
}

/// This process's resident memory in KiB (Linux), for memory per connection.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| line.strip_prefix("VmRSS:")?.trim().strip_suffix("kB")?.trim().parse().ok())
}

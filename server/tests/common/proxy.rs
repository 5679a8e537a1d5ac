//! A loopback fault proxy: clients connect to it instead of the server, and a
//! test decides, at any moment, what the network between them does: pass
//! bytes, lose them (a blackhole, one way or both), delay them, or reset every
//! connection. The server behind it can change (a restarted node).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};

/// What happens to bytes going one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Pass,
    /// Read and thrown away, the sender believing they left: a black hole. A
    /// connection that lost bytes delivers nothing more that way, as TCP never
    /// skips bytes and goes on.
    Lose,
    /// Held for this long before they go on.
    Delay(Duration),
}

#[derive(Debug, Clone, Copy)]
struct Faults {
    to_server: Flow,
    to_client: Flow,
}

pub struct FaultProxy {
    pub addr: SocketAddr,
    faults: watch::Sender<Faults>,
    server: watch::Sender<SocketAddr>,
    reset: Arc<Notify>,
}

impl FaultProxy {
    /// A proxy on a free loopback port in front of `server`, passing everything.
    pub async fn start(server: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (faults, faults_now) = watch::channel(Faults { to_server: Flow::Pass, to_client: Flow::Pass });
        let (server, server_now) = watch::channel(server);
        let reset = Arc::new(Notify::new());
        let resets = Arc::clone(&reset);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = *server_now.borrow();
                tokio::spawn(relay(client, server, faults_now.clone(), Arc::clone(&resets)));
            }
        });
        FaultProxy { addr, faults, server, reset }
    }

    /// What bytes from clients to the server and from the server to clients do from now on.
    pub fn set(&self, to_server: Flow, to_client: Flow) {
        self.faults.send_replace(Faults { to_server, to_client });
    }

    /// New connections go to `server` from now on.
    pub fn point_at(&self, server: SocketAddr) {
        self.server.send_replace(server);
    }

    /// Resets every open connection (both ends see it break).
    pub fn reset_all(&self) {
        self.reset.notify_waiters();
    }
}

/// One client connection: to the server it names at accept time, until either
/// end closes or the test resets it.
async fn relay(client: TcpStream, server: SocketAddr, faults: watch::Receiver<Faults>, reset: Arc<Notify>) {
    let Ok(upstream) = TcpStream::connect(server).await else {
        // The server is down: the client sees its connection closed at once.
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = upstream.into_split();
    let to_server = pump(client_read, server_write, faults.clone(), |faults| faults.to_server);
    let to_client = pump(server_read, client_write, faults, |faults| faults.to_client);
    tokio::select! {
        _ = to_server => {}
        _ = to_client => {}
        _ = reset.notified() => {}
    }
    // Dropping the halves closes both connections: each end sees it end.
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    faults: watch::Receiver<Faults>,
    flow: fn(&Faults) -> Flow,
) {
    let mut buffer = vec![0; 16 * 1024];
    let mut lost = false;
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        let now = flow(&faults.borrow());
        match now {
            _ if lost => continue,
            Flow::Pass => {}
            Flow::Lose => {
                lost = true;
                continue;
            }
            Flow::Delay(delay) => tokio::time::sleep(delay).await,
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}

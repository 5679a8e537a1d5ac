//! Server configuration, from flags or environment variables (flags win).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(name = "hanmadi-server", about = "Hanmadi's chat server", version)]
pub struct Config {
    /// Address to listen on. Port 0 picks a free port (tests use it).
    #[arg(long, env = "HANMADI_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Database URL. The default is an SQLite file under ./data, created if missing.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/hanmadi.db")]
    pub database_url: String,

    /// Directory of the built web app (Trunk's dist/) to serve at `/`. When it does
    /// not exist the server still runs the API and the socket.
    #[arg(long, env = "HANMADI_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Extra origins (besides the server's own) allowed to open the socket,
    /// comma-separated, e.g. `https://chat.example.com`. The defaults are
    /// `trunk serve`'s, for development.
    #[arg(
        long,
        env = "HANMADI_ALLOWED_ORIGINS",
        value_delimiter = ',',
        default_value = "http://127.0.0.1:3000,http://localhost:3000"
    )]
    pub allowed_origins: Vec<String>,

    /// How long a session token lives, in seconds (the app refreshes it as needed).
    #[arg(long, env = "HANMADI_TOKEN_TTL_SECS", default_value_t = 24 * 3600)]
    pub token_ttl_secs: u64,

    /// Simulated market updates per second on the live ticker (0: stats only).
    #[arg(long, env = "HANMADI_TICKER_RATE", default_value_t = 20)]
    pub ticker_rate: u32,

    /// How many symbols the simulated market has.
    #[arg(long, env = "HANMADI_TICKER_SYMBOLS", default_value_t = 24)]
    pub ticker_symbols: usize,

    /// Frames per second one connection may send (bursts of three seconds' worth
    /// are fine); beyond, frames are refused with an error, and a connection that
    /// keeps on is closed with 4429.
    #[arg(long, env = "HANMADI_FRAMES_PER_SEC", default_value_t = 100)]
    pub frames_per_sec: u32,

    /// Actions per second one connection may send (bursts of ten seconds' worth,
    /// and never less than a full outbox, so one flushes after a reconnect);
    /// beyond, new actions are refused as rate-limited and can be sent again
    /// under the same key. A repeat of an action already applied costs nothing.
    #[arg(long, env = "HANMADI_ACTIONS_PER_SEC", default_value_t = 10)]
    pub actions_per_sec: u32,

    /// Live frames a slow connection may fall behind by before it is told to
    /// resync its rooms from the database (it is never silently dropped).
    #[arg(long, env = "HANMADI_FANOUT_BUFFER", default_value_t = 4096)]
    pub fanout_buffer: usize,

    /// How long a graceful shutdown waits for connections to finish, in seconds.
    #[arg(long, env = "HANMADI_SHUTDOWN_GRACE_SECS", default_value_t = 5)]
    pub shutdown_grace_secs: u64,
}

impl Config {
    /// The defaults, as if started with no flags and no environment: for tests.
    pub fn for_tests(database_url: String) -> Self {
        let mut config = Self::parse_from(["hanmadi-server"]);
        config.bind = "127.0.0.1:0".parse().expect("valid address");
        config.database_url = database_url;
        config
    }
}

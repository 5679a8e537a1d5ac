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

    /// Frames per second one connection may send (bursts of three seconds' worth,
    /// and never less than two full outboxes, are fine); beyond, frames are
    /// refused with an error (an action with a rate-limited answer under its key,
    /// to be sent again), and a connection that keeps on is closed with 4429.
    #[arg(long, env = "HANMADI_FRAMES_PER_SEC", default_value_t = 100)]
    pub frames_per_sec: u32,

    /// Actions per second one person may send, over all their sockets on a
    /// node (bursts of ten seconds' worth, and never less than a full outbox,
    /// so one filled offline flushes at once);
    /// beyond, new actions are refused as rate-limited and can be sent again
    /// under the same key. A repeat of an action already applied costs nothing.
    #[arg(long, env = "HANMADI_ACTIONS_PER_SEC", default_value_t = 10)]
    pub actions_per_sec: u32,

    /// Guest sign-ups per minute from one IP address (in bursts of three
    /// minutes' worth); beyond, 429 with `Retry-After`.
    #[arg(long, env = "HANMADI_SIGN_UPS_PER_MINUTE", default_value_t = 10)]
    pub sign_ups_per_minute: u32,

    /// HTTP API calls per minute from one IP address (in bursts of half a
    /// minute's worth: an app opening with hundreds of rooms loads them at
    /// once); beyond, 429 with `Retry-After`. Behind a proxy every client has
    /// the proxy's address: raise this there.
    #[arg(long, env = "HANMADI_API_CALLS_PER_MINUTE", default_value_t = 1200)]
    pub api_calls_per_minute: u32,

    /// Largest file one upload may be, in bytes (10 MiB). A larger one is
    /// refused (413) as soon as that is known, before the rest is read.
    #[arg(long, env = "HANMADI_MAX_UPLOAD_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_upload_bytes: u64,

    /// Uploads per minute one person may make (in bursts of a minute's
    /// worth: a handful of photos dropped at once); beyond, 429.
    #[arg(long, env = "HANMADI_UPLOADS_PER_MINUTE", default_value_t = 30)]
    pub uploads_per_minute: u32,

    /// Bytes of files one person may keep on the server (200 MiB): their
    /// uploads, sent or not, until the messages carrying them are deleted.
    #[arg(long, env = "HANMADI_UPLOAD_QUOTA_BYTES", default_value_t = 200 * 1024 * 1024)]
    pub upload_quota_bytes: u64,

    /// Sockets the server holds at once; beyond, new ones are closed with 1013.
    #[arg(long, env = "HANMADI_MAX_SOCKETS", default_value_t = 20_000)]
    pub max_sockets: usize,

    /// Sockets from one IP address at once (behind a proxy every client has
    /// the proxy's address: raise this to `--max-sockets` there).
    #[arg(long, env = "HANMADI_MAX_SOCKETS_PER_ADDRESS", default_value_t = 500)]
    pub max_sockets_per_address: usize,

    /// Sockets one person may have open at once (tabs, devices).
    #[arg(long, env = "HANMADI_MAX_SOCKETS_PER_USER", default_value_t = 20)]
    pub max_sockets_per_user: usize,

    /// How long a client may take to send a request's headers, and then its
    /// body; a slower one is cut off (slowloris).
    #[arg(long, env = "HANMADI_HTTP_TIMEOUT_SECS", default_value_t = 10)]
    pub http_timeout_secs: u64,

    /// A socket the server hears nothing from for this long is closed (it is
    /// pinged halfway through; browsers answer pings by themselves).
    #[arg(long, env = "HANMADI_IDLE_TIMEOUT_SECS", default_value_t = 30)]
    pub idle_timeout_secs: u64,

    /// A socket that takes no bytes for this long while the server writes to
    /// it (its network gone, its reader stuck) is closed.
    #[arg(long, env = "HANMADI_WRITE_TIMEOUT_SECS", default_value_t = 10)]
    pub write_timeout_secs: u64,

    /// How long the outcome of an action is kept under its idempotency key, in
    /// days. Must be longer than an outbox can wait to be sent (the token's
    /// life plus the 7 days it can still be refreshed), or a late resend could
    /// apply an action twice.
    #[arg(long, env = "HANMADI_ACTION_RETENTION_DAYS", default_value_t = 30)]
    pub action_retention_days: u64,

    /// Live frames a slow connection may fall behind by before it is told to
    /// resync its rooms from the database (it is never silently dropped).
    #[arg(long, env = "HANMADI_FANOUT_BUFFER", default_value_t = 4096)]
    pub fanout_buffer: usize,

    /// How long a graceful shutdown waits for connections to finish, in seconds.
    #[arg(long, env = "HANMADI_SHUTDOWN_GRACE_SECS", default_value_t = 5)]
    pub shutdown_grace_secs: u64,
}

impl Config {
    /// Refuses settings that cannot work, naming the flag and why: a zero rate
    /// would refuse every frame, a zero timeout would drop every socket.
    pub fn check(&self) -> Result<(), String> {
        let at_least_one = [
            ("--frames-per-sec", u64::from(self.frames_per_sec)),
            ("--actions-per-sec", u64::from(self.actions_per_sec)),
            ("--http-timeout-secs", self.http_timeout_secs),
            ("--idle-timeout-secs", self.idle_timeout_secs),
            ("--write-timeout-secs", self.write_timeout_secs),
            ("--token-ttl-secs", self.token_ttl_secs),
            ("--fanout-buffer", self.fanout_buffer as u64),
            ("--sign-ups-per-minute", u64::from(self.sign_ups_per_minute)),
            ("--api-calls-per-minute", u64::from(self.api_calls_per_minute)),
            ("--max-sockets", self.max_sockets as u64),
            ("--max-sockets-per-address", self.max_sockets_per_address as u64),
            ("--max-sockets-per-user", self.max_sockets_per_user as u64),
            ("--max-upload-bytes", self.max_upload_bytes),
            ("--uploads-per-minute", u64::from(self.uploads_per_minute)),
            ("--upload-quota-bytes", self.upload_quota_bytes),
        ];
        if let Some((flag, _)) = at_least_one.iter().find(|(_, value)| *value == 0) {
            return Err(format!("{flag} must be at least 1"));
        }
        let outbox_can_wait = self.token_ttl_secs.saturating_add(crate::auth::REFRESH_GRACE.as_secs());
        if self.action_retention_days.saturating_mul(24 * 3600) <= outbox_can_wait {
            return Err(format!(
                "--action-retention-days must be longer than an outbox can wait to be sent: {} days \
                 (--token-ttl-secs plus the 7 days a token can be refreshed)",
                outbox_can_wait.div_ceil(24 * 3600)
            ));
        }
        if self.ticker_rate > 0 && self.ticker_symbols == 0 {
            return Err("--ticker-symbols must be at least 1 while --ticker-rate is above 0".into());
        }
        if let Some(origin) = self.allowed_origins.iter().find(|origin| !is_origin(origin)) {
            return Err(format!(
                "--allowed-origins: {origin:?} is not an origin (scheme, host and optional port, \
                 e.g. https://chat.example.com)"
            ));
        }
        Ok(())
    }

    /// The defaults, as if started with no flags and no environment: for tests.
    pub fn for_tests(database_url: String) -> Self {
        let mut config = Self::parse_from(["hanmadi-server"]);
        config.bind = "127.0.0.1:0".parse().expect("valid address");
        config.database_url = database_url;
        config
    }
}

/// Whether `text` is a web origin exactly as browsers send it in `Origin`:
/// `http(s)://host[:port]`, nothing after (not even a `/`, or it never matches).
fn is_origin(text: &str) -> bool {
    let Ok(uri) = text.parse::<axum::http::Uri>() else { return false };
    matches!(uri.scheme_str(), Some("http" | "https"))
        && uri.authority().is_some_and(|authority| !authority.host().is_empty() && !authority.as_str().contains('@'))
        && text.split_once("://").is_some_and(|(_, rest)| !rest.contains(['/', '?', '#']))
}

//! Hanmadi's chat server as a library, so that integration tests can start the
//! real thing in-process on port 0 against a real database file.

mod action_budget;
mod address_limit;
pub mod admin;
mod api;
mod auth;
mod census;
pub mod config;
mod db;
mod delivery;
mod file_names;
mod http_server;
mod liveness;
mod media;
mod origin;
mod rate_limit;
mod request_log;
mod retention;
mod security;
mod sessions;
mod socket;
mod static_files;
mod store;
mod ticker;
mod versions;
mod writer;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;

/// What every handler can reach.
#[derive(Clone)]
struct AppState {
    store: Arc<store::Store>,
    sessions: Arc<sessions::Sessions>,
    delivery: Arc<delivery::Delivery>,
    writer: writer::Writer,
    /// Every person's action tokens, shared by their sockets on this node.
    action_tokens: Arc<action_budget::ActionTokens>,
    ticker: Arc<ticker::TickerFeed>,
    allowed_origins: Arc<[String]>,
    /// Cancelled when the server begins to shut down; every socket session watches it.
    shutdown: CancellationToken,
    /// Every socket session, so shutdown can wait for them to say goodbye.
    tracker: TaskTracker,
    limits: Limits,
    census: Arc<census::Census>,
    sign_ups: Arc<address_limit::AddressLimit>,
    api_calls: Arc<address_limit::AddressLimit>,
    uploads: Arc<api::Uploads>,
}

/// Per-connection limits, from the config.
#[derive(Clone, Copy)]
struct Limits {
    frames_per_sec: u32,
    idle_timeout: Duration,
    write_timeout: Duration,
}

/// A server that is accepting connections.
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    grace: Duration,
    serve: JoinHandle<()>,
}

impl RunningServer {
    /// The address actually bound (the real port when the config asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Graceful shutdown: stop accepting, close every socket with 1012 ("service
    /// restart") so clients come back with jitter, and wait up to the grace period.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.tracker.close();
        if tokio::time::timeout(self.grace, self.tracker.wait()).await.is_err() {
            tracing::warn!("sockets still open after the grace period; leaving anyway");
        }
        match tokio::time::timeout(self.grace, self.serve).await {
            Ok(joined) => joined.context("the server task panicked"),
            Err(_) => Ok(()),
        }
    }
}

/// Opens the database, binds the address and starts serving.
pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
    config.check().map_err(|why| anyhow::anyhow!("cannot start with these settings: {why}"))?;
    let (pool, dialect) = db::connect(&config.database_url).await?;
    let tokens = auth::Tokens::load_or_create(&pool, Duration::from_secs(config.token_ttl_secs)).await?;
    let shutdown = CancellationToken::new();
    let tracker = TaskTracker::new();
    let sessions = sessions::Sessions::start(pool.clone(), tokens, shutdown.clone());
    let store = Arc::new(store::Store::new(pool.clone(), dialect));
    store::checkpoint_in_background(Arc::clone(&store), shutdown.clone());
    store::index_for_search_in_background(Arc::clone(&store), shutdown.clone());
    let delivery = delivery::Delivery::start(
        dialect,
        &config.database_url,
        pool,
        Arc::clone(&store),
        config.fanout_buffer,
        shutdown.clone(),
    )
    .await?;
    let writer = writer::Writer::start(Arc::clone(&store), Arc::clone(&delivery));
    let retention = Duration::from_secs(config.action_retention_days * 24 * 3600);
    retention::forget_old_actions(Arc::clone(&store), retention, shutdown.clone());
    let ticker =
        ticker::TickerFeed::start(config.ticker_symbols, config.ticker_rate, Arc::clone(&delivery), shutdown.clone());
    let state = AppState {
        store,
        sessions,
        delivery,
        writer,
        action_tokens: Arc::new(action_budget::ActionTokens::new(config.actions_per_sec)),
        ticker,
        allowed_origins: config.allowed_origins.clone().into(),
        shutdown: shutdown.clone(),
        tracker: tracker.clone(),
        limits: Limits {
            frames_per_sec: config.frames_per_sec,
            idle_timeout: Duration::from_secs(config.idle_timeout_secs),
            write_timeout: Duration::from_secs(config.write_timeout_secs),
        },
        sign_ups: Arc::new(address_limit::AddressLimit::new(
            config.sign_ups_per_minute.saturating_mul(3),
            config.sign_ups_per_minute,
        )),
        api_calls: Arc::new(address_limit::AddressLimit::new(
            (config.api_calls_per_minute / 2).max(1),
            config.api_calls_per_minute,
        )),
        uploads: Arc::new(api::Uploads::new(&config)),
        census: census::Census::new(census::Caps {
            total: config.max_sockets,
            per_address: config.max_sockets_per_address,
            per_user: config.max_sockets_per_user,
        }),
    };
    let app = Router::new()
        .route("/ws", get(socket::upgrade))
        .route("/healthz", get(healthz))
        .merge(
            api::router(&state)
                .layer(RequestBodyTimeoutLayer::new(Duration::from_secs(config.http_timeout_secs)))
                .layer(security::cors(&config.allowed_origins)),
        )
        .with_state(state)
        .merge(static_files::router(&config.static_dir));
    let app = security::with_headers(app)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(request_log::span_for));

    let listener = TcpListener::bind(config.bind).await.with_context(|| format!("cannot listen on {}", config.bind))?;
    let addr = listener.local_addr()?;
    let stop = shutdown.clone();
    let http_timeout = Duration::from_secs(config.http_timeout_secs);
    let serve = tokio::spawn(http_server::serve(listener, app, http_timeout, stop));
    Ok(RunningServer { addr, shutdown, tracker, grace: Duration::from_secs(config.shutdown_grace_secs), serve })
}

/// Liveness and readiness: answers 200 only if the database answers too.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match sqlx::query("SELECT 1").execute(state.store.pool()).await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

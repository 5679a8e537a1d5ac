//! `hanmadi-server`: run the chat server until Ctrl-C or SIGTERM, or do one
//! operator's task on its database and exit.

use clap::{Parser, Subcommand};
use hanmadi_protocol::UserId;
use hanmadi_server::{admin, Config};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "hanmadi-server", about = "Hanmadi's chat server", version)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    task: Option<Task>,
}

/// An operator's task, run against `--database-url` instead of serving.
#[derive(Subcommand)]
enum Task {
    /// End every session of a user: signed out on every device, and their
    /// open sockets closed within seconds on every running node.
    RevokeUser { user: u64 },
    /// Sign new tokens with a fresh key. Tokens signed with older keys keep
    /// working (and move to the new key on their next refresh).
    RotateSigningKey,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let Cli { config, task } = Cli::parse();
    match task {
        Some(Task::RevokeUser { user }) => {
            let ended = admin::revoke_user(&config.database_url, UserId(user)).await?;
            println!("ended {ended} session(s) of user {user}");
            return Ok(());
        }
        Some(Task::RotateSigningKey) => {
            let key = admin::rotate_signing_key(&config.database_url).await?;
            println!("new tokens are signed with key {key}");
            return Ok(());
        }
        None => {}
    }
    let server = hanmadi_server::start(config).await?;
    // Printed on stdout, alone on its line: people read it, and scripts (the e2e
    // harness, `cargo xtask serve`) parse it to learn the port.
    println!("Hanmadi is running at http://{}/", server.local_addr());
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.expect("cannot listen for Ctrl-C");
    };
    #[cfg(unix)]
    let terminate = async {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("cannot listen for SIGTERM")
            .recv()
            .await;
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

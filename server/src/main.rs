//! `hanmadi-server`: run the chat server until Ctrl-C or SIGTERM.

use clap::Parser;
use hanmadi_server::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let config = Config::parse();
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

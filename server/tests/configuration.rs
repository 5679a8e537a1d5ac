//! Settings that cannot work are refused at start-up with a message that names
//! the flag, instead of failing later in front of a user.

use std::process::Command;

use hanmadi_server::{start, Config};

async fn refusal(adjust: impl FnOnce(&mut Config)) -> String {
    let folder = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(format!("sqlite://{}", folder.path().join("chat.db").display()));
    adjust(&mut config);
    match start(config).await {
        Ok(_) => panic!("started with settings that cannot work"),
        Err(error) => format!("{error:#}"),
    }
}

#[tokio::test]
async fn zero_rates_and_timeouts_are_refused_by_name() {
    assert!(refusal(|c| c.frames_per_sec = 0).await.contains("--frames-per-sec must be at least 1"));
    assert!(refusal(|c| c.actions_per_sec = 0).await.contains("--actions-per-sec must be at least 1"));
    assert!(refusal(|c| c.idle_timeout_secs = 0).await.contains("--idle-timeout-secs"));
    assert!(refusal(|c| c.write_timeout_secs = 0).await.contains("--write-timeout-secs"));
    assert!(refusal(|c| c.token_ttl_secs = 0).await.contains("--token-ttl-secs"));
    assert!(refusal(|c| c.fanout_buffer = 0).await.contains("--fanout-buffer"));
    assert!(refusal(|c| (c.ticker_rate, c.ticker_symbols) = (20, 0)).await.contains("--ticker-symbols"));
}

#[tokio::test]
async fn action_records_must_outlive_any_outbox() {
    // A token lives a day and can be refreshed for 7 more: an outbox may wait 8 days.
    let why = refusal(|c| c.action_retention_days = 8).await;
    assert!(why.contains("--action-retention-days") && why.contains("8 days"), "{why}");
}

#[tokio::test]
async fn an_allowed_origin_must_be_an_origin_as_browsers_send_it() {
    for wrong in ["chat.example.com", "https://chat.example.com/", "https://chat.example.com/app", "ftp://example.com"]
    {
        let why = refusal(|c| c.allowed_origins = vec![wrong.into()]).await;
        assert!(why.contains("--allowed-origins") && why.contains(wrong), "{wrong}: {why}");
    }
    let folder = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(format!("sqlite://{}", folder.path().join("chat.db").display()));
    config.allowed_origins = vec!["https://chat.example.com".into(), "http://127.0.0.1:3000".into()];
    start(config).await.expect("real origins are fine").shutdown().await.unwrap();
}

#[test]
fn the_binary_says_why_and_exits_with_failure() {
    let folder = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hanmadi-server"))
        .args(["--bind", "127.0.0.1:0", "--frames-per-sec", "0"])
        .arg("--database-url")
        .arg(format!("sqlite://{}", folder.path().join("chat.db").display()))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--frames-per-sec must be at least 1"), "{stderr}");
}

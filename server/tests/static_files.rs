//! The built web app is served with a strict policy, sensible caching and an SPA
//! fallback, over a real socket.

use hanmadi_server::{start, Config};

#[tokio::test]
async fn the_app_is_served_with_csp_caching_and_spa_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    let index = r#"<!doctype html><script type="module">import init from '/app-0123456789abcdef.js';</script>"#;
    std::fs::write(dist.join("index.html"), index).unwrap();
    std::fs::write(dist.join("app-0123456789abcdef.js"), "export default () => {};".repeat(100)).unwrap();
    let mut config = Config::for_tests(format!("sqlite://{}", dir.path().join("chat.db").display()));
    config.static_dir = dist;
    let server = start(config).await.unwrap();
    let base = format!("http://{}", server.local_addr());
    let client = reqwest::Client::new();

    let page = client.get(format!("{base}/rooms/42")).send().await.unwrap();
    assert_eq!(page.status(), 200, "SPA routes fall back to index.html");
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert_eq!(page.text().await.unwrap(), index);

    let script =
        client.get(format!("{base}/app-0123456789abcdef.js")).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(script.status(), 200);
    assert_eq!(script.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(script.headers()["content-encoding"], "br");
}

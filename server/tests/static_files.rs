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

#[tokio::test]
async fn files_compressed_at_build_time_are_sent_as_they_are_with_the_originals_type() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>Hanmadi</title>").unwrap();
    std::fs::write(dist.join("app-0123456789abcdef_bg.wasm"), b"\0asm the module").unwrap();
    // Not real brotli: proof that these bytes, made at build time, are what is sent.
    std::fs::write(dist.join("app-0123456789abcdef_bg.wasm.br"), b"compressed at build time").unwrap();
    std::fs::write(dist.join("app-0123456789abcdef_bg.wasm.gz"), b"gzipped at build time").unwrap();
    let mut config = Config::for_tests(format!("sqlite://{}", dir.path().join("chat.db").display()));
    config.static_dir = dist;
    let server = start(config).await.unwrap();
    let url = format!("http://{}/app-0123456789abcdef_bg.wasm", server.local_addr());
    let client = reqwest::Client::builder().no_brotli().no_gzip().build().unwrap();

    for (accepted, encoding, body) in
        [("br, gzip", Some("br"), "compressed at build time"), ("gzip", Some("gzip"), "gzipped at build time")]
    {
        let wasm = client.get(&url).header("accept-encoding", accepted).send().await.unwrap();
        assert_eq!(wasm.headers()["content-type"], "application/wasm");
        assert_eq!(wasm.headers().get("content-encoding").map(|v| v.to_str().unwrap()), encoding);
        assert_eq!(wasm.text().await.unwrap(), body, "for {accepted}");
    }
    let plain = client.get(&url).send().await.unwrap();
    assert_eq!(plain.headers()["content-type"], "application/wasm");
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm the module");
}

#[tokio::test]
async fn a_new_build_written_while_the_server_runs_is_served_with_its_own_policy() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    let page = |loader: &str| format!(r#"<!doctype html><script type="module">{loader}</script>"#);
    std::fs::write(dist.join("index.html"), page("import('/app-0123456789abcdef.js');")).unwrap();
    let mut config = Config::for_tests(format!("sqlite://{}", dir.path().join("chat.db").display()));
    config.static_dir = dist.clone();
    let server = start(config).await.unwrap();
    let url = format!("http://{}/rooms/1", server.local_addr());
    let policy = || async { reqwest::get(&url).await.unwrap().headers()["content-security-policy"].clone() };
    let before = policy().await;

    // `cargo xtask build` again: a new loader, in a page written a moment later.
    let index = dist.join("index.html");
    std::fs::write(&index, page("import('/app-fedcba9876543210.js');")).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(2);
    std::fs::File::options().write(true).open(&index).unwrap().set_modified(later).unwrap();
    let after = policy().await;
    assert_ne!(after, before, "the old policy would block the new loader");
    let new_loader_hash = {
        use base64::Engine;
        use sha2::Digest;
        let digest = sha2::Sha256::digest("import('/app-fedcba9876543210.js');");
        base64::engine::general_purpose::STANDARD.encode(digest)
    };
    assert!(after.to_str().unwrap().contains(&new_loader_hash), "{after:?}");
}

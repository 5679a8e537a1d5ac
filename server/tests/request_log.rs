//! The server's request log, read as an operator would with `RUST_LOG=debug`:
//! it names each request's path, but never an invite link's token (the secret
//! that joins its room) nor what a query carries (what someone searched for).

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{call_as, get_as, TestServer};
use hanmadi_protocol::http::InviteCreated;
use reqwest::Method;
use tracing_subscriber::fmt::MakeWriter;

/// Everything the log has said, kept to be read.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Log {
    type Writer = Log;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Log {
    fn said(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn the_request_log_names_paths_but_no_invite_token_and_no_search() {
    let log = Log::default();
    // The one test of this binary: the log is the whole process's.
    tracing_subscriber::fmt().with_env_filter("debug").with_writer(log.clone()).with_ansi(false).init();
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let room = server.connect(&mina).await.create_private_room("surprise party").await;
    let (status, body) = call_as(&server, &mina, Method::POST, &format!("/api/rooms/{room}/invites")).await;
    assert_eq!(status, 201, "{body}");
    let token = serde_json::from_value::<InviteCreated>(body).unwrap().token;

    // Someone opens the link, and the app asks where it leads.
    reqwest::get(server.http(&format!("/invite/{token}"))).await.unwrap();
    assert_eq!(reqwest::get(server.http(&format!("/api/invites/{token}"))).await.unwrap().status(), 200);
    // Mina searches for the party she is planning.
    assert_eq!(get_as(&server, &mina, "/api/search?q=cake%20for%20Jun").await.0, 200);

    let said = log.said();
    for path in ["/invite/…", "/api/invites/…", "/api/search"] {
        assert!(said.contains(&format!("path={path}")), "the log names {path}:\n{said}");
    }
    assert!(!said.contains(&token), "the token is in the log:\n{said}");
    assert!(!said.contains("cake"), "the search is in the log:\n{said}");
}

//! Settings chosen when the built app is deployed, not when it is built: read from
//! `<meta>` tags in `index.html`, so one `dist/` works on any static host.

/// Where the socket lives. `<meta name="hanmadi-socket-url" content="wss://…/ws">`
/// names it; when empty or absent it is `/ws` on the page's own origin.
pub fn socket_url() -> String {
    let configured = meta_content("hanmadi-socket-url").filter(|url| !url.trim().is_empty());
    configured.unwrap_or_else(|| {
        let location = web_sys::window().expect("a browser window").location();
        let scheme = if location.protocol().as_deref() == Ok("https:") { "wss" } else { "ws" };
        let host = location.host().unwrap_or_default();
        format!("{scheme}://{host}/ws")
    })
}

/// The HTTP API's address for `path`: beside the socket, on the same host.
pub fn api_url(path: &str) -> String {
    let socket = socket_url();
    let base = socket.strip_suffix("/ws").unwrap_or(&socket);
    let base = base.replacen("wss://", "https://", 1).replacen("ws://", "http://", 1);
    format!("{base}{path}")
}

fn meta_content(name: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector(&format!("meta[name=\"{name}\"]")).ok()??;
    meta.get_attribute("content")
}

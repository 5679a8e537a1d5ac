//! Uploading a file of a message being written: `POST /api/attachments?name=`
//! with the bytes as the body, over HTTP and never the socket, so a large
//! file holds up no chat frame. `XMLHttpRequest` rather than `fetch`, because
//! only it reports how much of a request body has gone (the chip's progress
//! bar). The token goes in `Authorization`, as for every API call; an expired
//! one is refreshed by the engine and the file sent once more. A request
//! during which nothing moves for [`STALL`] is given up as unreachable.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use hanmadi_protocol::attachments::Attachment;
use hanmadi_protocol::http::ApiError;
use hanmadi_protocol::json;
use leptos::prelude::{set_timeout_with_handle, TimeoutHandle};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

use crate::deploy_config;
use crate::pending_files::UploadFailure;
use crate::session;

/// How long a request may go without a byte moving either way before it is
/// given up: a connection that went half-open mid-upload never ends on its
/// own, and the file would show "Uploading" for ever. On the slowest network
/// bytes move many times a second, and the server answers a whole file well
/// within this.
const STALL: Duration = Duration::from_secs(20);

/// Aborts the request once nothing has moved for [`STALL`]: armed again by
/// every progress event.
struct StallWatch {
    request: XmlHttpRequest,
    armed: RefCell<Option<TimeoutHandle>>,
}

impl StallWatch {
    fn arm(&self) {
        self.disarm();
        let request = self.request.clone();
        *self.armed.borrow_mut() = set_timeout_with_handle(move || drop(request.abort()), STALL).ok();
    }

    fn disarm(&self) {
        if let Some(armed) = self.armed.borrow_mut().take() {
            armed.clear();
        }
    }
}

/// A send given up half way (its future dropped) leaves no timer behind to
/// abort a later request.
impl Drop for StallWatch {
    fn drop(&mut self) {
        self.disarm();
    }
}

/// One file's request, which [`Upload::abort`] can stop from elsewhere (the
/// file was removed while it went).
#[derive(Clone)]
pub struct Upload {
    request: XmlHttpRequest,
}

impl Upload {
    pub fn new() -> Option<Upload> {
        XmlHttpRequest::new().ok().map(|request| Upload { request })
    }

    pub fn abort(&self) {
        let _ = self.request.abort();
    }

    /// Sends `file` under `name`, telling `progress` how many bytes have gone.
    pub async fn send(
        &self,
        file: &Blob,
        name: &str,
        // Boxed: one copy of this function serves the composer and the parcels.
        progress: Box<dyn Fn(u64)>,
    ) -> Result<Attachment, UploadFailure> {
        let progress = Progress::new(&self.request, progress);
        let mut status = self.attempt(file, name, &progress).await?;
        if status == 401 {
            // The token expired while the tab slept.
            crate::socket::token_refused().await;
            status = self.attempt(file, name, &progress).await?;
        }
        let body = self.request.response_text().ok().flatten().unwrap_or_default();
        if (200..300).contains(&status) {
            return json::from_str(&body).map_err(|error| UploadFailure::Other(format!("unreadable answer: {error}")));
        }
        Err(failure(status, &body))
    }

    /// One request, to its end (answered, failed or aborted): its status.
    async fn attempt(&self, file: &Blob, name: &str, progress: &Progress) -> Result<u16, UploadFailure> {
        let token = session::saved().ok_or_else(|| UploadFailure::Other("signed out".to_owned()))?.token;
        let name = String::from(js_sys::encode_uri_component(name));
        let request = &self.request;
        request
            .open("POST", &deploy_config::api_url(&format!("/api/attachments?name={name}")))
            .map_err(|_| UploadFailure::Unreachable)?;
        let _ = request.set_request_header(session::AUTHORIZATION, &session::bearer(&token));
        if let Ok(upload) = request.upload() {
            upload.set_onprogress(Some(progress.uploaded.as_ref().unchecked_ref()));
        }
        request.set_onprogress(Some(progress.answered.as_ref().unchecked_ref()));
        let ended = js_sys::Promise::new(&mut |resolve, _| request.set_onloadend(Some(&resolve)));
        request.send_with_opt_blob(Some(file)).map_err(|_| UploadFailure::Unreachable)?;
        progress.watch.arm();
        let _ = JsFuture::from(ended).await;
        progress.watch.disarm();
        request.set_onloadend(None);
        request.set_onprogress(None);
        if let Ok(upload) = request.upload() {
            upload.set_onprogress(None);
        }
        // 0: no answer (offline, refused connection, aborted, stalled).
        match request.status() {
            Ok(0) | Err(_) => Err(UploadFailure::Unreachable),
            Ok(status) => Ok(status),
        }
    }
}

/// Why the server did not keep the file, from its answer (not a success).
/// A proxy's 502 or 503 says that the server itself could not be reached
/// (restarting, or gone): the file is unreachable, as with no answer at all,
/// so a message waiting with it goes once the server is back instead of
/// staying "Not sent". A 504 is not: a proxy that gives up on a slow upload
/// would give up on it again, and the file would go up for nothing forever.
fn failure(status: u16, body: &str) -> UploadFailure {
    if matches!(status, 502 | 503) {
        return UploadFailure::Unreachable;
    }
    match json::from_str::<ApiError>(body) {
        Ok(ApiError { upload: Some(problem), .. }) => UploadFailure::Refused(problem),
        Ok(refused) => UploadFailure::Other(refused.error),
        Err(_) => UploadFailure::Other(format!("the server answered {status}")),
    }
}

/// What a request reports its movement to: the chip's progress, and the
/// stall watch. Made once per file, for each of its attempts.
struct Progress {
    /// Bytes of the body sent.
    uploaded: Closure<dyn Fn(ProgressEvent)>,
    /// Bytes of the answer received: movement too.
    answered: Closure<dyn Fn()>,
    watch: Rc<StallWatch>,
}

impl Progress {
    fn new(request: &XmlHttpRequest, progress: Box<dyn Fn(u64)>) -> Self {
        let watch = Rc::new(StallWatch { request: request.clone(), armed: RefCell::new(None) });
        let moved = Rc::clone(&watch);
        let uploaded = Closure::<dyn Fn(ProgressEvent)>::new(move |event: ProgressEvent| {
            moved.arm();
            progress(event.loaded() as u64);
        });
        let moved = Rc::clone(&watch);
        let answered = Closure::<dyn Fn()>::new(move || moved.arm());
        Progress { uploaded, answered, watch }
    }
}

#[cfg(test)]
mod tests {
    use hanmadi_protocol::attachments::UploadProblem;

    use super::*;

    #[test]
    fn a_refusal_with_a_code_keeps_the_code_for_the_app_to_word() {
        let body =
            r#"{"error":"the file is larger than the limit of 5 bytes","upload":{"kind":"file_too_large","max":5}}"#;
        assert_eq!(failure(413, body), UploadFailure::Refused(UploadProblem::FileTooLarge { max: 5 }));
    }

    #[test]
    fn a_refusal_without_a_code_keeps_the_server_s_words() {
        assert_eq!(failure(400, r#"{"error":"no name"}"#), UploadFailure::Other("no name".to_owned()));
        assert_eq!(failure(500, "oops"), UploadFailure::Other("the server answered 500".to_owned()));
        assert_eq!(
            failure(504, "<html>Gateway Timeout</html>"),
            UploadFailure::Other("the server answered 504".to_owned())
        );
    }

    #[test]
    fn a_proxy_that_cannot_reach_the_server_makes_the_file_unreachable_not_refused() {
        for status in [502, 503] {
            assert_eq!(failure(status, "<html>Bad Gateway</html>"), UploadFailure::Unreachable, "{status}");
        }
    }
}

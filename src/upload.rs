//! Uploading a file of a message being written: `POST /api/attachments?name=`
//! with the bytes as the body, over HTTP and never the socket, so a large
//! file holds up no chat frame. `XMLHttpRequest` rather than `fetch`, because
//! only it reports how much of a request body has gone (the chip's progress
//! bar). The token goes in `Authorization`, as for every API call; an expired
//! one is refreshed by the engine and the file sent once more.

use hanmadi_protocol::attachments::Attachment;
use hanmadi_protocol::http::ApiError;
use hanmadi_protocol::json;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

use crate::deploy_config;
use crate::pending_files::UploadFailure;
use crate::session;

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
        let progress =
            Closure::<dyn Fn(ProgressEvent)>::new(move |event: ProgressEvent| progress(event.loaded() as u64));
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
        Err(match json::from_str::<ApiError>(&body) {
            Ok(ApiError { upload: Some(problem), .. }) => UploadFailure::Refused(problem),
            Ok(refused) => UploadFailure::Other(refused.error),
            Err(_) => UploadFailure::Other(format!("the server answered {status}")),
        })
    }

    /// One request, to its end (answered, failed or aborted): its status.
    async fn attempt(
        &self,
        file: &Blob,
        name: &str,
        progress: &Closure<dyn Fn(ProgressEvent)>,
    ) -> Result<u16, UploadFailure> {
        let token = session::saved().ok_or_else(|| UploadFailure::Other("signed out".to_owned()))?.token;
        let name = String::from(js_sys::encode_uri_component(name));
        let request = &self.request;
        request
            .open("POST", &deploy_config::api_url(&format!("/api/attachments?name={name}")))
            .map_err(|_| UploadFailure::Unreachable)?;
        let _ = request.set_request_header("Authorization", &format!("Bearer {token}"));
        if let Ok(upload) = request.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }
        let ended = js_sys::Promise::new(&mut |resolve, _| request.set_onloadend(Some(&resolve)));
        request.send_with_opt_blob(Some(file)).map_err(|_| UploadFailure::Unreachable)?;
        let _ = JsFuture::from(ended).await;
        request.set_onloadend(None);
        if let Ok(upload) = request.upload() {
            upload.set_onprogress(None);
        }
        // 0: no answer (offline, refused connection, aborted).
        match request.status() {
            Ok(0) | Err(_) => Err(UploadFailure::Unreachable),
            Ok(status) => Ok(status),
        }
    }
}

//! Files over HTTP, never over the socket, so a large one never holds up chat
//! frames:
//!
//! - `POST /api/attachments?name=` with the file as the body: read as it
//!   arrives, refused (413) the moment it is too large, hashed, found out from
//!   its bytes (`media`), kept once per content (`store::attachments`);
//!   answered with its [`Attachment`], which the message then names by id.
//! - `GET /api/attachments/{id}` and `…/{id}/thumbnail`: the bytes, to the
//!   people who may read them, served so a browser never runs them. Read with
//!   the token in `Authorization`, or in the files cookie (`files_cookie`),
//!   which `<img>` and download links send by themselves.
//! - `DELETE /api/attachments/{id}`: an upload its uploader decided not to send.
//!
//! docs/ARCHITECTURE.md (Attachments) tells the whole story.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use hanmadi_protocol::attachments::{Attachment, UploadProblem};
use hanmadi_protocol::{AttachmentId, UserId};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::{bearer, body_timed_out, files_cookie, user_with, ApiError, AuthUser};
use crate::address_limit::AddressLimit;
use crate::store::{NewUpload, Served, User};
use crate::{file_names, media, AppState, Config};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/attachments", post(upload))
        .route("/api/attachments/{id}", get(download).delete(remove))
        .route("/api/attachments/{id}/thumbnail", get(thumbnail))
}

/// The upload limits (`--max-upload-bytes`, `--uploads-per-minute`,
/// `--upload-quota-bytes`), each person's count of uploads, and turns at
/// decoding.
pub struct Uploads {
    max_bytes: u64,
    quota_bytes: u64,
    per_minute: u32,
    made: AddressLimit<UserId>,
    /// Images are decoded one per core at a time: each decode may take up to
    /// 256 MiB (`media`), and a burst of uploads from many people must not
    /// take that many times over, nor every core from the chat.
    decoding: Semaphore,
}

impl Uploads {
    pub fn new(config: &Config) -> Self {
        Uploads {
            max_bytes: config.max_upload_bytes,
            quota_bytes: config.upload_quota_bytes,
            per_minute: config.uploads_per_minute,
            made: AddressLimit::new(config.uploads_per_minute, config.uploads_per_minute),
            decoding: Semaphore::new(std::thread::available_parallelism().map_or(1, |cores| cores.get())),
        }
    }
}

/// A refused upload: the status, the English sentence and the code.
fn refused(status: StatusCode, problem: UploadProblem) -> Response {
    let mut response = ApiError(status, problem.into()).into_response();
    if let UploadProblem::TooManyUploads { retry_after, .. } = problem {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    }
    response
}

#[derive(Deserialize)]
struct UploadQuery {
    /// The file's name; folders, control characters and the like are taken
    /// out (`file_names::clean`).
    name: Option<String>,
}

/// Keeps the body as a file of the signed-in person's. 201 with its
/// [`Attachment`]; 200 with the same one for an upload made before (the same
/// bytes under the same name: a retry), which stores nothing.
async fn upload(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    query: Result<Query<UploadQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Attachment>), Response> {
    let Query(query) =
        query.map_err(|rejection| ApiError(StatusCode::BAD_REQUEST, rejection.body_text().into()).into_response())?;
    let limits = &state.uploads;
    if let Err(wait) = limits.made.take(user.id) {
        let retry_after = wait.as_secs_f64().ceil().max(1.0) as u64;
        let problem = UploadProblem::TooManyUploads { per_minute: limits.per_minute, retry_after };
        return Err(refused(StatusCode::TOO_MANY_REQUESTS, problem));
    }
    let too_large = || refused(StatusCode::PAYLOAD_TOO_LARGE, UploadProblem::FileTooLarge { max: limits.max_bytes });
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok())
        .and_then(|length| length.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limits.max_bytes) {
        // Before a byte of the body is read (a client that sent
        // `Expect: 100-continue` is told so before it sends any).
        return Err(too_large());
    }
    let (bytes, sha256) = read_whole(body, limits.max_bytes).await?.ok_or_else(too_large)?;
    let name = file_names::clean(query.name.as_deref().unwrap_or_default());
    let store = &state.store;
    if let Some(kept) = store.upload_of(user.id, &sha256, &name).await.map_err(internal)? {
        return Ok((StatusCode::OK, Json(kept)));
    }
    let (bytes, content) = if store.has_content(&sha256).await.map_err(internal)? {
        (bytes, None)
    } else {
        let _turn = limits.decoding.acquire().await.map_err(|error| internal(error.into()))?;
        let described = tokio::task::spawn_blocking(move || {
            let described = media::describe(&bytes);
            (bytes, described)
        })
        .await
        .map_err(|error| internal(error.into()))?;
        (described.0, Some(described.1))
    };
    let upload =
        NewUpload { uploader: user.id, name: &name, sha256: &sha256, bytes: &bytes, content: content.as_ref() };
    match store.keep_upload(upload, limits.quota_bytes).await.map_err(internal)? {
        Ok(kept) => {
            tracing::info!(user = %user.id, attachment = %kept.id, size = kept.size, "file uploaded");
            Ok((StatusCode::CREATED, Json(kept)))
        }
        Err(problem) => Err(refused(StatusCode::PAYLOAD_TOO_LARGE, problem)),
    }
}

fn internal(error: anyhow::Error) -> Response {
    ApiError::from(error).into_response()
}

/// The body as it arrives, hashed on the way, or `None` as soon as it is
/// more than `max` bytes: the rest is never read. Memory grows with what
/// arrives, never with what the client announces.
async fn read_whole(body: Body, max: u64) -> Result<Option<(Vec<u8>, String)>, Response> {
    let mut bytes = Vec::new();
    let mut hash = Sha256::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| {
            let refusal = if body_timed_out(&error) {
                ApiError(StatusCode::REQUEST_TIMEOUT, "the file did not arrive in time".into())
            } else {
                ApiError(StatusCode::BAD_REQUEST, "the file could not be read".into())
            };
            refusal.into_response()
        })?;
        if (bytes.len() + chunk.len()) as u64 > max {
            return Ok(None);
        }
        hash.update(&chunk);
        bytes.extend_from_slice(&chunk);
    }
    let hex = hash.finalize().iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(Some((bytes, hex)))
}

/// Who reads a file: the token in `Authorization`, as for every API call,
/// or else the one in the files cookie, which only these two `GET`s accept
/// (see `files_cookie`). When both are sent the header decides, and a bad
/// one is refused rather than passed over for the cookie.
struct FileReader(User);

impl FromRequestParts<AppState> for FileReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = match files_cookie::token(&parts.headers) {
            Some(token) if !parts.headers.contains_key(header::AUTHORIZATION) => token,
            _ => bearer(&parts.headers)?,
        };
        Ok(FileReader(user_with(state, token).await?))
    }
}

async fn download(
    State(state): State<AppState>,
    FileReader(user): FileReader,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(&state, user.id, AttachmentId(id), &headers, Part::Original).await
}

/// "Remove attachment" before the message is sent: the upload is deleted
/// (204), and its bytes unless someone else's upload has them. Once a message
/// carries it, deleting the message is what deletes it.
async fn remove(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<u64>,
) -> Result<StatusCode, ApiError> {
    let id = AttachmentId(id);
    if state.store.remove_unsent_upload(user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError(StatusCode::NOT_FOUND, format!("there is no unsent attachment {id} of yours").into()))
    }
}

async fn thumbnail(
    State(state): State<AppState>,
    FileReader(user): FileReader,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(&state, user.id, AttachmentId(id), &headers, Part::Thumbnail).await
}

/// How long the browser may show a file from its cache without asking.
/// What is under an id never changes, so only who may read it can: long
/// enough that a room's thumbnails are drawn from the cache as one scrolls,
/// switches rooms and reloads; short enough that a URL something still holds
/// (a tab not yet told, the offline copy) shows a file whose message was
/// deleted, or whose private room its reader left, for at most this long.
/// After it, a request that costs a 304 checks access again.
const CACHED_FOR_SECS: u32 = 3600;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Original,
    /// An image's small copy (the image itself when it is small already).
    Thumbnail,
}

/// Sends the file if `reader` may read it, and 404 alike if it does not exist
/// or they may not. Only an image the server decoded is shown inline;
/// everything else is a download of `application/octet-stream`, and no
/// response can be taken for another type (`nosniff`) or run anything (a
/// sandboxing policy).
async fn serve(
    state: &AppState,
    reader: UserId,
    id: AttachmentId,
    headers: &HeaderMap,
    part: Part,
) -> Result<Response, ApiError> {
    let missing = || ApiError(StatusCode::NOT_FOUND, format!("there is no attachment {id}").into());
    let Served { attachment, sha256 } = state.store.readable_attachment(reader, id).await?.ok_or_else(missing)?;
    let inline = attachment.is_image();
    if part == Part::Thumbnail && !inline {
        return Err(ApiError(StatusCode::NOT_FOUND, format!("attachment {id} is not an image").into()));
    }
    let etag = format!("\"{sha256}{}\"", if part == Part::Thumbnail { "-thumbnail" } else { "" });
    let mut response = if headers.get(header::IF_NONE_MATCH).is_some_and(|tag| tag.as_bytes() == etag.as_bytes()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (bytes, mime) = state.store.content_bytes(&sha256, part == Part::Thumbnail).await?.ok_or_else(missing)?;
        let mime = if inline { mime } else { media::OCTET_STREAM.to_owned() };
        let mut response = bytes.into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, header_value(&mime)?);
        response
    };
    let disposition = file_names::content_disposition(inline, &attachment.name);
    let set = response.headers_mut();
    set.insert(header::CONTENT_DISPOSITION, header_value(&disposition)?);
    set.insert(header::ETAG, header_value(&etag)?);
    // Kept by this browser only (`private`; see [`CACHED_FOR_SECS`]), and
    // only for the credential it was read with (`Vary`): after a sign-out,
    // whoever signs in next in this browser is asked about again, not
    // served what the last person could read. (A refresh changes the token
    // too, so a file is fetched again once per token, not once per view.)
    let cache = format!("private, max-age={CACHED_FOR_SECS}");
    set.insert(header::CACHE_CONTROL, header_value(&cache)?);
    set.insert(header::VARY, HeaderValue::from_static("authorization, cookie"));
    set.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    set.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    // The cookie goes with any same-site `<img>` or `<script>`, also one on
    // another origin of the site: no other origin may embed a file (the app
    // is on this origin, or reads files with its token through CORS, which
    // this does not govern).
    set.insert(HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("same-origin"));
    Ok(response)
}

fn header_value(text: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(text).map_err(|error| anyhow::anyhow!("bad header value {text:?}: {error}").into())
}

//! The HTTP side of `galley serve`: the built site from memory, the live-reload WebSocket, and
//! two small JSON endpoints (`/__galley/status`, `/__galley/manifest`) for tools and tests.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::request::{Refusal, Target, content_type, resolve};
use super::state::{Shared, Snapshot};
use crate::output::Contents;

const SCRIPT_PATH: &str = "/__galley/livereload.js";
const SCRIPT: &str = include_str!("livereload.js");

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/__galley/livereload", get(live_reload))
        .route(SCRIPT_PATH, get(script))
        .route("/__galley/status", get(status))
        .route("/__galley/manifest", get(manifest))
        .fallback(file)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            check_host,
        ))
        .with_state(shared)
}

/// Refuses requests naming a host this server does not answer to (DNS rebinding).
async fn check_host(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    if shared.host_allowed(host) {
        next.run(request).await
    } else {
        (
            StatusCode::MISDIRECTED_REQUEST,
            "this server only answers to local host names",
        )
            .into_response()
    }
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        SCRIPT,
    )
        .into_response()
}

async fn status(State(shared): State<Arc<Shared>>) -> Response {
    let snapshot = shared.snapshot();
    let body = serde_json::json!({ "version": snapshot.version, "error": snapshot.error });
    json(body.to_string())
}

/// Every served file with the hash of its bytes: lets a test compare a server's output with a
/// fresh build without fetching every page.
async fn manifest(State(shared): State<Arc<Shared>>) -> Response {
    let snapshot = shared.snapshot();
    let mut files = serde_json::Map::new();
    for file in snapshot.output.files() {
        let hash = file
            .read()
            .map(|bytes| blake3::hash(&bytes).to_hex().to_string())
            .unwrap_or_default();
        files.insert(file.path.clone(), serde_json::Value::String(hash));
    }
    let body = serde_json::json!({ "version": snapshot.version, "files": files });
    json(body.to_string())
}

fn json(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// Browsers always send `Origin` on WebSocket handshakes; only pages of this server may
/// connect (another site open in the same browser may not listen in).
async fn live_reload(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !same_origin(&headers) {
        return (
            StatusCode::FORBIDDEN,
            "cross-origin live-reload connections are refused",
        )
            .into_response();
    }
    upgrade.on_upgrade(move |socket| stream_events(socket, shared))
}

fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

async fn stream_events(mut socket: WebSocket, shared: Arc<Shared>) {
    let mut events = shared.subscribe();
    let Ok(hello) = serde_json::to_string(&shared.hello()) else {
        return;
    };
    if socket.send(WsMessage::Text(hello.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(text) => {
                    if socket.send(WsMessage::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                // A slow page missed messages: a reload brings it up to date.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let reload = serde_json::json!({"type": "reload", "version": shared.snapshot().version});
                    if socket.send(WsMessage::Text(reload.to_string().into())).await.is_err() {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn file(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "",
        )
            .into_response();
    }
    let head = request.method() == Method::HEAD;
    let snapshot = shared.snapshot();
    let output = &snapshot.output;
    let target = resolve(request.uri().path(), &shared.prefix, |key| {
        output.get(key).is_some()
    });
    let response = match target {
        Err(Refusal::BadPath) => (StatusCode::BAD_REQUEST, "bad request path").into_response(),
        Ok(Target::AddSlash(location)) => {
            let location = match request.uri().query() {
                Some(query) => format!("{location}?{query}"),
                None => location,
            };
            (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, location)],
                "",
            )
                .into_response()
        }
        Ok(Target::File(key)) => match output.get(&key) {
            Some(found) => send(&shared, &snapshot, &key, found, StatusCode::OK),
            None => not_found(&shared, &snapshot),
        },
        Err(Refusal::OutsidePrefix) => not_found(&shared, &snapshot),
    };
    if head {
        without_body(response)
    } else {
        response
    }
}

fn not_found(shared: &Shared, snapshot: &Snapshot) -> Response {
    if snapshot.output.is_empty() {
        // No build has succeeded yet: a page that shows the error and reloads when fixed.
        let html = inject(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>galley: build failed</title></head>\
             <body><p>The site does not build yet; the error is shown above this text.</p></body></html>",
            &Build::of(shared, snapshot),
        );
        return html_response(StatusCode::SERVICE_UNAVAILABLE, html);
    }
    match snapshot.output.get("404.html") {
        Some(page) => send(shared, snapshot, "404.html", page, StatusCode::NOT_FOUND),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn send(
    shared: &Shared,
    snapshot: &Snapshot,
    key: &str,
    file: &crate::output::OutputFile,
    status: StatusCode,
) -> Response {
    if let Contents::Copy(source) = &file.contents
        && !inside(&shared.root, source)
    {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    let bytes = match file.read() {
        Ok(bytes) => bytes.into_owned(),
        Err(_) => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let kind = content_type(key);
    if kind.starts_with("text/html") {
        let build = Build::of(shared, snapshot);
        return html_response(status, inject(&String::from_utf8_lossy(&bytes), &build));
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = Response::new(Body::from(html));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Which build a page was served from: the live-reload script compares it with the server's
/// on every connection, so a page that missed a rebuild (its socket was down, or the server
/// restarted) reloads.
pub struct Build<'a> {
    pub server: &'a str,
    pub version: u64,
}

impl<'a> Build<'a> {
    fn of(shared: &'a Shared, snapshot: &Snapshot) -> Build<'a> {
        Build {
            server: &shared.server_id,
            version: snapshot.version,
        }
    }
}

/// Adds the live-reload script before `</body>` (or at the end of a fragment), marked with
/// the build the page comes from.
pub fn inject(html: &str, build: &Build) -> String {
    let tag = format!(
        "<script src=\"{SCRIPT_PATH}\" data-server=\"{}\" data-version=\"{}\" defer></script>",
        build.server, build.version
    );
    match html.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &html[..at], &html[at..]),
        None => format!("{html}{tag}"),
    }
}

/// Whether `path`, symlinks resolved, lies inside `root`: a static file that links out of the
/// site is never served.
fn inside(root: &std::path::Path, path: &std::path::Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|real| real.starts_with(root))
}

/// A response to `HEAD`: the headers `GET` would send, its `Content-Length` included, and
/// no body.
fn without_body(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    if let Some(length) = body.size_hint().exact() {
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    Response::from_parts(parts, Body::empty())
}

#[cfg(test)]
mod tests {
    use super::{Build, inject, same_origin};
    use axum::http::{HeaderMap, HeaderValue, header};

    #[test]
    fn script_goes_before_the_closing_body_tag_with_its_build() {
        let build = Build {
            server: "12-34",
            version: 7,
        };
        assert_eq!(
            inject("<body>x</body></html>", &build),
            "<body>x<script src=\"/__galley/livereload.js\" data-server=\"12-34\" \
             data-version=\"7\" defer></script></body></html>"
        );
        assert!(inject("fragment", &build).ends_with("defer></script>"));
    }

    #[test]
    fn websocket_origin_must_match_the_host() {
        let headers = |origin: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:1111"));
            h.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
            h
        };
        assert!(same_origin(&headers("http://127.0.0.1:1111")));
        assert!(!same_origin(&headers("http://evil.example")));
        assert!(!same_origin(&headers("http://127.0.0.1:1112")));
        assert!(same_origin(&HeaderMap::new()));
    }
}

//! Small purpose-built servers on 127.0.0.1 that misbehave on purpose:
//! endless pages, huge or slow bodies, dropped connections. Each records the
//! raw request paths it saw and how many body bytes it managed to send.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::Frame;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// A response body for a hostile server.
pub type Body = BoxBody<Bytes, std::io::Error>;

/// What a handler is told about each request.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The raw path as it arrived, percent-encoding included.
    pub path: String,
    /// How many requests came before this one.
    pub index: u64,
}

/// A running hostile server.
pub struct Hostile {
    address: SocketAddr,
    paths: Arc<Mutex<Vec<String>>>,
    sent: Arc<AtomicU64>,
    server: tokio::task::JoinHandle<()>,
}

impl Hostile {
    /// Starts a server that answers each request with `handler`'s response;
    /// `None` drops the connection without answering.
    pub async fn start<F, Fut>(handler: F) -> Hostile
    where
        F: Fn(Seen, Arc<AtomicU64>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<Response<Body>>> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("a bound address");
        let paths = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(AtomicU64::new(0));
        let handler = Arc::new(handler);
        let (recorded, counter) = (paths.clone(), sent.clone());
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (handler, recorded, counter) =
                    (handler.clone(), recorded.clone(), counter.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                        let (handler, recorded, counter) =
                            (handler.clone(), recorded.clone(), counter.clone());
                        async move {
                            let path = request.uri().path().to_string();
                            let index = {
                                let mut paths = recorded.lock().unwrap();
                                paths.push(path.clone());
                                paths.len() as u64 - 1
                            };
                            let seen = Seen {
                                method: request.method().to_string(),
                                path,
                                index,
                            };
                            handler(seen, counter)
                                .await
                                .ok_or_else(|| std::io::Error::other("dropped on purpose"))
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Hostile {
            address,
            paths,
            sent,
            server,
        }
    }

    /// The base URL to point a client at.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The raw paths of every request so far.
    pub fn paths(&self) -> Vec<String> {
        self.paths.lock().unwrap().clone()
    }

    /// How many requests arrived.
    pub fn requests(&self) -> usize {
        self.paths.lock().unwrap().len()
    }

    /// How many body bytes the server handed to the connection.
    pub fn bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A JSON response with `status`.
pub fn json(status: u16, body: serde_json::Value) -> Response<Body> {
    raw(status, body.to_string())
}

/// A JSON response of exactly these bytes.
pub fn raw(status: u16, body: impl Into<Bytes>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(
            Full::new(body.into())
                .map_err(|e: Infallible| match e {})
                .boxed(),
        )
        .expect("a valid response")
}

/// A response streaming `total` bytes of `fill` in 1 MiB chunks, counting
/// what it sends in `sent`; with `declare_length`, a `Content-Length` too.
pub fn huge(status: u16, total: u64, declare_length: bool, sent: Arc<AtomicU64>) -> Response<Body> {
    const CHUNK: u64 = 1024 * 1024;
    let chunk = Bytes::from(vec![b' '; CHUNK as usize]);
    let frames = futures::stream::unfold(0u64, move |done| {
        let (chunk, sent) = (chunk.clone(), sent.clone());
        async move {
            (done < total).then(|| {
                let len = CHUNK.min(total - done);
                sent.fetch_add(len, Ordering::Relaxed);
                (Ok(Frame::data(chunk.slice(..len as usize))), done + len)
            })
        }
    });
    let mut response = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    if declare_length {
        response = response.header("content-length", total.to_string());
    }
    response
        .body(BodyExt::boxed(StreamBody::new(frames)))
        .expect("a valid response")
}

//! A webhook receiver: answers `204 No Content` to deliveries whose
//! `X-Pylon-Signature` matches their body, and `401 Unauthorized` to the
//! rest, before looking at what they contain.
//!
//! Run as is, it checks itself: it listens on a free port of 127.0.0.1,
//! sends itself one correctly signed issue event and the same event with one
//! byte changed, and exits once the first was accepted and the second
//! refused. With `--listen ADDR` it serves deliveries until stopped instead.
//! The secret is `PYLON_WEBHOOK_SECRET` (the one Pylon showed when the
//! webhook was created), or a demo secret when that is unset.
//!
//! ```text
//! cargo run -p pylon-sdk --example webhook_receiver
//! PYLON_WEBHOOK_SECRET=… cargo run -p pylon-sdk --example webhook_receiver -- --listen 0.0.0.0:8080
//! ```

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use pylon_sdk::webhook::{self, WebhookError, WebhookSecret};
use tokio::net::TcpListener;

/// Larger deliveries are refused unread.
const MAX_BODY_BYTES: usize = 1 << 20;

/// What the self-check sends: an issue event as Pylon's webhook action
/// might post it.
const DELIVERY: &[u8] = br#"{"event":"issue.created","issue":{"id":"iss_8f2c1a","number":1042,"title":"SSO login fails for new users","state":"new","account":{"id":"acc_31","name":"Acme Corp"}}}"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = Arc::new(match std::env::var("PYLON_WEBHOOK_SECRET") {
        Ok(secret) => {
            println!("using the secret in PYLON_WEBHOOK_SECRET");
            WebhookSecret::new(secret)
        }
        Err(_) => {
            println!("PYLON_WEBHOOK_SECRET is unset: using a demo secret");
            WebhookSecret::new("whsec_demo")
        }
    });
    let mut args = std::env::args().skip(1);
    let listen = match (args.next().as_deref(), args.next()) {
        (None, _) => None,
        (Some("--listen"), Some(address)) => Some(address),
        _ => return Err("usage: webhook_receiver [--listen ADDR]".into()),
    };

    let listener = TcpListener::bind(listen.as_deref().unwrap_or("127.0.0.1:0")).await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(serve(listener, secret.clone()));
    if listen.is_some() {
        println!("receiving Pylon webhooks on http://{address}/ (Ctrl-C to stop)");
        server.await?;
        return Ok(());
    }

    println!("receiver listening on http://{address}/; sending it two deliveries");
    let url = format!("http://{address}/webhooks/pylon");
    let client = reqwest::Client::new();
    let signature = webhook::sign(&secret, DELIVERY);

    let status = deliver(&client, &url, DELIVERY.to_vec(), &signature).await?;
    println!("signed delivery: {status}");
    assert_eq!(status, reqwest::StatusCode::NO_CONTENT);

    // The same delivery with issue number 1042 changed to 1043 on the way.
    let mut tampered = DELIVERY.to_vec();
    let at = DELIVERY
        .windows(4)
        .position(|w| w == b"1042")
        .expect("the delivery has the issue number")
        + 3;
    tampered[at] = b'3';
    let status = deliver(&client, &url, tampered, &signature).await?;
    println!("tampered delivery (one byte changed, same signature): {status}");
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);

    server.abort();
    println!("the signed delivery was accepted and the tampered one refused");
    Ok(())
}

/// Posts `body` with `signature` as Pylon would, returning the status.
async fn deliver(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    signature: &str,
) -> reqwest::Result<reqwest::StatusCode> {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header(webhook::SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await?;
    Ok(response.status())
}

/// Accepts connections until the task is stopped.
async fn serve(listener: TcpListener, secret: Arc<WebhookSecret>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                eprintln!("receiver: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let secret = secret.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| receive(secret.clone(), request));
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("receiver: connection failed: {e}");
            }
        });
    }
}

/// One delivery: read the raw body, verify it, only then decode and act.
async fn receive(
    secret: Arc<WebhookSecret>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.method() != Method::POST {
        return Ok(answer(StatusCode::METHOD_NOT_ALLOWED));
    }
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => return Ok(answer(StatusCode::PAYLOAD_TOO_LARGE)),
        Err(_) => return Ok(answer(StatusCode::BAD_REQUEST)),
    };
    let verified = webhook::signature_from_headers(&parts.headers)
        .and_then(|signature| webhook::verify_json::<serde_json::Value>(&secret, &body, signature));
    Ok(match verified {
        Ok(event) => {
            println!(
                "receiver: verified {} for issue {}",
                event["event"], event["issue"]["id"]
            );
            answer(StatusCode::NO_CONTENT)
        }
        Err(e @ WebhookError::InvalidBody(_)) => {
            println!("receiver: {e}");
            answer(StatusCode::BAD_REQUEST)
        }
        Err(e) => {
            println!("receiver: refused: {e}");
            answer(StatusCode::UNAUTHORIZED)
        }
    })
}

fn answer(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

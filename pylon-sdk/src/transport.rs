//! How every generated operation's request is sent: the `pre` hook checks
//! the path and drops progenitor's `api-version` header; `exec` sends each
//! attempt through the rate limiter (when set) and the retry policy, reading
//! the whole body inside the attempt so that a connection dropped
//! mid-response is retried like any other transport failure.

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::client::ClientState;
use crate::generated;

impl ClientHooks<ClientState> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        // Pylon documents no version header; progenitor adds one to every request.
        request.headers_mut().remove("api-version");
        match crate::paths::misfit(
            info.operation_id,
            &self.inner().base_path,
            request.url().path(),
        ) {
            Some(reason) => Err(progenitor_client::Error::InvalidRequest(reason)),
            None => Ok(()),
        }
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let state = self.inner();
        crate::retry::with_retries(state, request, info.operation_id, |attempt| async move {
            let _slot = match &state.limiter {
                Some(limiter) => Some(limiter.acquire(info.operation_id).await),
                None => None,
            };
            send_buffered(self.client(), attempt).await
        })
        .await
    }
}

/// Sends one attempt and reads the whole body, so that a connection dropped
/// mid-response surfaces here, inside the retry loop, rather than later in
/// the generated code.
pub(crate) async fn send_buffered(
    http: &reqwest::Client,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let mut response = http.execute(request).await?;
    let status = response.status();
    let version = response.version();
    let mut headers = std::mem::take(response.headers_mut());
    let mut body = response.bytes().await?;
    if status.is_client_error() || status.is_server_error() {
        body = normalized_error_body(&mut headers, body);
    }
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok(reqwest::Response::from(rebuilt))
}

/// An error body that is not a JSON object (a proxy's HTML page, an empty
/// body) is wrapped as `{"errors": [<its start>]}`, so the caller still gets
/// an API error with the status rather than a decode failure.
fn normalized_error_body(headers: &mut HeaderMap, body: Bytes) -> Bytes {
    if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&body).is_ok() {
        return body;
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(200)])
        .trim()
        .to_string();
    let message = if text.is_empty() {
        "(empty error body)".to_string()
    } else {
        format!("(non-JSON error body) {text}")
    };
    headers.remove(CONTENT_LENGTH);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Bytes::from(serde_json::json!({ "errors": [message] }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_json_error_bodies_become_error_envelopes() {
        let mut headers = HeaderMap::new();
        let body = normalized_error_body(
            &mut headers,
            Bytes::from_static(b"<html>Bad gateway</html>"),
        );
        let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            parsed["errors"][0],
            "(non-JSON error body) <html>Bad gateway</html>"
        );
        let json = Bytes::from_static(br#"{"errors":["x"]}"#);
        assert_eq!(normalized_error_body(&mut headers, json.clone()), json);
    }
}

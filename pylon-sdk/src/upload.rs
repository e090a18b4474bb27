//! File uploads: `POST /attachments`.
//!
//! Pylon takes attachments as `multipart/form-data`, which the generated
//! client cannot send, so [`AttachmentsExt::create_attachment`] is written by
//! hand. It still goes the way of every generated operation: the client's
//! rate limiter, pacing, retry policy and deadline, the same body caps, and
//! the same error mapping into [`Error`].
//!
//! An [`Upload`] comes from bytes in memory, from a file on disk, or from a
//! URL that Pylon fetches itself. A file is streamed from disk and opened
//! again for every attempt, so it is never held in memory. Files larger than
//! [`MAX_ATTACHMENT_BYTES`] are refused before anything is sent. The content
//! type is the one given, or else inferred from the file name's extension.
//!
//! Like every create, an upload is retried only when Pylon refused it with a
//! 429 or when it never left (connection refused): after a timeout or a 5xx
//! it may already exist, so the error is returned with
//! [`Error::is_outcome_unknown`] set instead of uploading a second copy.
//!
//! ```no_run
//! use pylon_sdk::{AttachmentsExt, Client, Upload};
//!
//! # async fn run(client: Client) -> pylon_sdk::Result<()> {
//! let attachment = client
//!     .create_attachment(Upload::from_path("logs/crash.txt").description("crash log"))
//!     .await?;
//! println!("attach {} to a reply", attachment.data.url);
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, Url};
use tokio::io::AsyncReadExt;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::response::Response;
use crate::{generated, types};

/// The largest file Pylon accepts: 100 MB (104,857,600 bytes).
pub const MAX_ATTACHMENT_BYTES: u64 = 104_857_600;

/// The operation id uploads are sent, rate-limited and logged under.
const OPERATION: &str = "create_attachment";

/// How much of a file is read from disk at a time.
const CHUNK_BYTES: usize = 64 * 1024;

/// A file to upload as an attachment.
///
/// Build one with [`Upload::from_bytes`], [`Upload::from_path`] or
/// [`Upload::from_url`], optionally set its [`file_name`](Upload::file_name),
/// [`content_type`](Upload::content_type) and
/// [`description`](Upload::description), and pass it to
/// [`AttachmentsExt::create_attachment`].
#[derive(Clone)]
#[must_use]
pub struct Upload {
    source: Source,
    file_name: Option<String>,
    content_type: Option<String>,
    description: Option<String>,
}

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    Path(PathBuf),
    Url(String),
}

impl Upload {
    /// Uploads `bytes` under `file_name` (which also gives the inferred
    /// content type).
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Upload {
            source: Source::Bytes(bytes.into()),
            file_name: Some(file_name.into()),
            content_type: None,
            description: None,
        }
    }

    /// Uploads the file at `path`, streamed from disk. The file name is the
    /// path's last component unless [`file_name`](Upload::file_name) says
    /// otherwise.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        Upload {
            source: Source::Path(path.into()),
            file_name: None,
            content_type: None,
            description: None,
        }
    }

    /// Lets Pylon fetch the file from `url` (`http` or `https`), sent as
    /// `file_url`. The size limit then applies on Pylon's side.
    pub fn from_url(url: impl Into<String>) -> Self {
        Upload {
            source: Source::Url(url.into()),
            file_name: None,
            content_type: None,
            description: None,
        }
    }

    /// The name Pylon shows for the file. Ignored for [`Upload::from_url`].
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// The file's content type, e.g. `image/png`. Default is inferred from
    /// the file name's extension (`application/octet-stream` when unknown).
    /// Ignored for [`Upload::from_url`].
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// A description stored with the attachment.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Upload");
        match &self.source {
            Source::Bytes(bytes) => debug.field("bytes", &bytes.len()),
            Source::Path(path) => debug.field("path", path),
            Source::Url(url) => debug.field("url", url),
        };
        debug
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("description", &self.description)
            .finish()
    }
}

/// Attachment uploads, which the generated client cannot send.
pub trait AttachmentsExt {
    /// `POST /attachments`: uploads one file and returns the attachment,
    /// whose `url` goes into the `attachment_urls` of issues, replies and
    /// notes.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`], before anything is sent, for a file over
    /// [`MAX_ATTACHMENT_BYTES`], a path that is not a readable file, an
    /// empty file name, a malformed content type or a URL that is not
    /// `http`/`https`; otherwise the errors of any operation. An upload that
    /// fails after it may have reached Pylon is not repeated (see the
    /// [module documentation](crate::upload)).
    fn create_attachment(
        &self,
        upload: Upload,
    ) -> impl Future<Output = Result<Response<types::AttachmentResponse>>> + Send;
}

impl AttachmentsExt for Client {
    async fn create_attachment(
        &self,
        upload: Upload,
    ) -> Result<Response<types::AttachmentResponse>> {
        let prepared = Prepared::check(upload).await?;
        let url = Url::parse(&format!("{}/attachments", self.base_url()))
            .map_err(|e| Error::InvalidRequest(format!("the attachment URL is invalid: {e}")))?;
        let operations: &generated::Client = self;
        let answer = send_through_transport(operations, url, || prepared.form()).await?;
        // The same status mapping as every generated operation; an upload is
        // a create, so a 5xx leaves its outcome unknown.
        crate::transport::decode(OPERATION, answer, false)
    }
}

/// Sends `POST url` with a multipart body from `form` the way the generated
/// operations send their requests: the client's rate limiter, pacing, retry
/// policy and deadline around each attempt, the same body caps and error
/// mapping.
///
/// This is the only place uploads depend on the transport. The retry loop is
/// handed a body-less template request (which carries the method it decides
/// retries by); each attempt then builds its own request from `form`,
/// because a streamed body cannot be replayed.
async fn send_through_transport<F>(
    operations: &generated::Client,
    url: Url,
    form: F,
) -> Result<crate::transport::RawResponse>
where
    F: Fn() -> reqwest::Result<Form> + Send + Sync,
{
    let http = &operations.client;
    let mut template = reqwest::Request::new(Method::POST, url);
    template.headers_mut().insert(
        reqwest::header::ACCEPT,
        reqwest::header::HeaderValue::from_static("application/json"),
    );
    operations.inner.add_call_headers(&mut template);
    let build = || -> Result<reqwest::Request> {
        let mut request =
            http.request(template.method().clone(), template.url().clone())
                .multipart(form().map_err(|e| {
                    Error::InvalidRequest(format!("the upload could not be read: {e}"))
                })?)
                .build()
                .map_err(Error::request_not_built)?;
        for (name, value) in template.headers() {
            request.headers_mut().insert(name, value.clone());
        }
        Ok(request)
    };
    crate::retry::send_with_retries(
        http,
        &operations.inner,
        template.try_clone().expect("a body-less request clones"),
        OPERATION,
        Some(&build),
    )
    .await
}

/// An upload whose limits were checked, ready to be turned into a form for
/// every attempt.
struct Prepared {
    file: PreparedFile,
    description: Option<String>,
}

enum PreparedFile {
    Bytes {
        bytes: Bytes,
        name: String,
        content_type: String,
    },
    Path {
        path: PathBuf,
        len: u64,
        name: String,
        content_type: String,
    },
    Url(String),
}

impl Prepared {
    /// Checks the limits Pylon would enforce, before anything is sent.
    async fn check(upload: Upload) -> Result<Prepared> {
        let Upload {
            source,
            file_name,
            content_type,
            description,
        } = upload;
        let file = match source {
            Source::Bytes(bytes) => {
                check_size(bytes.len() as u64)?;
                let name = checked_name(file_name)?;
                let content_type = checked_content_type(content_type, &name)?;
                PreparedFile::Bytes {
                    bytes,
                    name,
                    content_type,
                }
            }
            Source::Path(path) => {
                let unreadable = |reason: String| {
                    Error::InvalidRequest(format!("cannot upload {}: {reason}", path.display()))
                };
                let metadata = tokio::fs::metadata(&path)
                    .await
                    .map_err(|e| unreadable(e.to_string()))?;
                if !metadata.is_file() {
                    return Err(unreadable("not a file".into()));
                }
                check_size(metadata.len())?;
                let name = checked_name(file_name.or_else(|| file_name_of(&path)))?;
                let content_type = checked_content_type(content_type, &name)?;
                PreparedFile::Path {
                    len: metadata.len(),
                    path,
                    name,
                    content_type,
                }
            }
            Source::Url(url) => {
                let parsed = Url::parse(&url).map_err(|e| {
                    Error::InvalidRequest(format!("file URL {url:?} is not a URL: {e}"))
                })?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(Error::InvalidRequest(format!(
                        "file URL {url:?} must be http or https"
                    )));
                }
                PreparedFile::Url(url)
            }
        };
        Ok(Prepared { file, description })
    }

    /// A fresh multipart form: `file` (or `file_url`), then `description`.
    fn form(&self) -> reqwest::Result<Form> {
        let form = match &self.file {
            PreparedFile::Bytes {
                bytes,
                name,
                content_type,
            } => {
                let body = reqwest::Body::from(bytes.clone());
                let part = Part::stream_with_length(body, bytes.len() as u64)
                    .file_name(name.clone())
                    .mime_str(content_type)?;
                Form::new().part("file", part)
            }
            PreparedFile::Path {
                path,
                len,
                name,
                content_type,
            } => {
                let part = Part::stream_with_length(file_body(path.clone()), *len)
                    .file_name(name.clone())
                    .mime_str(content_type)?;
                Form::new().part("file", part)
            }
            PreparedFile::Url(url) => Form::new().text("file_url", url.clone()),
        };
        Ok(match &self.description {
            Some(description) => form.text("description", description.clone()),
            None => form,
        })
    }
}

/// The file's bytes as a stream that opens the file only when first polled,
/// and reads it a chunk at a time.
fn file_body(path: PathBuf) -> reqwest::Body {
    let chunks = futures::stream::once(tokio::fs::File::open(path))
        .map_ok(|file| {
            futures::stream::try_unfold(file, |mut file| async move {
                let mut chunk = vec![0; CHUNK_BYTES];
                let read = file.read(&mut chunk).await?;
                if read == 0 {
                    return Ok::<_, std::io::Error>(None);
                }
                chunk.truncate(read);
                Ok(Some((Bytes::from(chunk), file)))
            })
        })
        .try_flatten()
        .boxed();
    reqwest::Body::wrap_stream(chunks)
}

fn check_size(len: u64) -> Result<()> {
    if len > MAX_ATTACHMENT_BYTES {
        return Err(Error::InvalidRequest(format!(
            "the file has {len} bytes; Pylon accepts at most {MAX_ATTACHMENT_BYTES} \
             (share larger files by link)"
        )));
    }
    Ok(())
}

fn file_name_of(path: &Path) -> Option<String> {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
}

fn checked_name(name: Option<String>) -> Result<String> {
    match name {
        Some(name) if !name.trim().is_empty() => Ok(name),
        _ => Err(Error::InvalidRequest(
            "an uploaded file needs a file name".into(),
        )),
    }
}

fn checked_content_type(content_type: Option<String>, file_name: &str) -> Result<String> {
    let content_type = content_type.unwrap_or_else(|| content_type_for(file_name).to_string());
    match Part::text("").mime_str(&content_type) {
        Ok(_) => Ok(content_type),
        Err(_) => Err(Error::InvalidRequest(format!(
            "{content_type:?} is not a content type"
        ))),
    }
}

/// The content type usually meant by a file name's extension.
fn content_type_for(file_name: &str) -> &'static str {
    let extension = Path::new(file_name)
        .extension()
        .and_then(|ext| ext.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("bmp") => "image/bmp",
        Some("heic") => "image/heic",
        Some("pdf") => "application/pdf",
        Some("txt" | "log") => "text/plain",
        Some("csv") => "text/csv",
        Some("md") => "text/markdown",
        Some("html" | "htm") => "text/html",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("zip") => "application/zip",
        Some("gz") => "application/gzip",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xls") => "application/vnd.ms-excel",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("ppt") => "application/vnd.ms-powerpoint",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Some("mp3") => "audio/mpeg",
        Some("wav") => "audio/wav",
        Some("mp4") => "video/mp4",
        Some("mov") => "video/quicktime",
        Some("webm") => "video/webm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_limit_is_100_mb_inclusive() {
        assert!(check_size(0).is_ok());
        assert!(check_size(MAX_ATTACHMENT_BYTES).is_ok());
        assert!(matches!(
            check_size(MAX_ATTACHMENT_BYTES + 1),
            Err(Error::InvalidRequest(_))
        ));
    }

    #[test]
    fn content_types_follow_the_extension_unless_given() {
        assert_eq!(content_type_for("shot.PNG"), "image/png");
        assert_eq!(content_type_for("report.pdf"), "application/pdf");
        assert_eq!(content_type_for("crash.log"), "text/plain");
        assert_eq!(content_type_for("archive.tar.gz"), "application/gzip");
        assert_eq!(content_type_for("no-extension"), "application/octet-stream");
        assert_eq!(
            checked_content_type(None, "a.csv").unwrap(),
            "text/csv".to_string()
        );
        assert_eq!(
            checked_content_type(Some("image/x-custom".into()), "a.csv").unwrap(),
            "image/x-custom".to_string()
        );
        assert!(matches!(
            checked_content_type(Some("not a type".into()), "a.csv"),
            Err(Error::InvalidRequest(_))
        ));
    }

    #[test]
    fn the_upload_is_listed_as_a_hand_written_operation() {
        use crate::generated_paths::{HAND_WRITTEN_OPERATIONS, OPERATION_PATHS};
        assert_eq!(HAND_WRITTEN_OPERATIONS, [OPERATION]);
        assert!(OPERATION_PATHS.contains(&(OPERATION, "/attachments")));
    }

    #[tokio::test]
    async fn bad_uploads_are_refused_before_sending() {
        for upload in [
            Upload::from_bytes("", &b"x"[..]),
            Upload::from_url("ftp://example.com/a.txt"),
            Upload::from_url("not a url"),
            Upload::from_path("/definitely/not/here.txt"),
            Upload::from_path(std::env::temp_dir()),
        ] {
            let described = format!("{upload:?}");
            assert!(
                matches!(Prepared::check(upload).await, Err(Error::InvalidRequest(_))),
                "{described}"
            );
        }
    }

    #[test]
    fn debug_output_shows_the_size_not_the_bytes() {
        let upload = Upload::from_bytes("a.txt", &b"secret-content"[..]);
        let shown = format!("{upload:?}");
        assert!(shown.contains("bytes: 14"), "{shown}");
        assert!(!shown.contains("secret-content"), "{shown}");
    }
}

//! File uploads: `POST /attachments`, `POST /accounts/{id}/files` and
//! `POST /training-data/upload`.
//!
//! Pylon takes these as `multipart/form-data`, which the generated client
//! cannot send, so the three methods of [`UploadsExt`] are written by hand.
//! They still go the way of every generated operation: the path check, the
//! client's rate limiter, pacing, retry policy and deadline, the same body
//! caps, and the same error mapping into [`Error`].
//!
//! An [`Upload`] comes from bytes in memory, from a file on disk, or from a
//! URL that Pylon fetches itself. A file is streamed from disk and opened
//! again for every attempt, so it is never held in memory. Pylon's size
//! limits ([`MAX_ATTACHMENT_BYTES`] for attachments and account files,
//! [`MAX_TRAINING_FILE_BYTES`] per file and [`MAX_TRAINING_UPLOAD_BYTES`] in
//! all for training data) are checked before anything is sent. The content
//! type is the one given, or else inferred from the file name's extension.
//!
//! Like every create, an upload is retried only when Pylon refused it with a
//! 429 or when it never left (connection refused): after a timeout or a 5xx
//! it may already exist, so the error is returned with
//! [`Error::is_outcome_unknown`] set instead of uploading a second copy.
//!
//! ```no_run
//! use pylon_sdk::{Client, TrainingDataUpload, Upload, UploadsExt};
//!
//! # async fn run(client: Client) -> pylon_sdk::Result<()> {
//! let attachment = client
//!     .create_attachment(Upload::from_path("logs/crash.txt").description("crash log"))
//!     .await?;
//! println!("attach {} to a reply", attachment.data.url);
//!
//! client
//!     .upload_account_file("acme-corp", Upload::from_path("contracts/msa.pdf"))
//!     .await?;
//!
//! let guides = TrainingDataUpload::into_new("Product guides")
//!     .file_with_external_id(Upload::from_path("guides/setup.md"), "guide-setup")
//!     .file_with_external_id(Upload::from_path("guides/billing.md"), "guide-billing");
//! let training_data = client.upload_training_data_files(guides).await?;
//! println!("uploaded into {}", training_data.data.id);
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use reqwest::Url;
use reqwest::multipart::{Form, Part};
use tokio::io::AsyncReadExt;

use crate::catalogue::Operation;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::generated::{self, operations};
use crate::response::Response;
use crate::types;

/// The largest attachment or account file Pylon accepts: 100 MB
/// (104,857,600 bytes).
pub const MAX_ATTACHMENT_BYTES: u64 = 104_857_600;

/// The largest single training data file Pylon accepts: 50 MB
/// (52,428,800 bytes).
pub const MAX_TRAINING_FILE_BYTES: u64 = 52_428_800;

/// The most bytes one training data upload may carry in all: 100 MB
/// (104,857,600 bytes).
pub const MAX_TRAINING_UPLOAD_BYTES: u64 = 104_857_600;

/// The most files one training data upload may carry.
pub const MAX_TRAINING_FILES: usize = 10;

/// How much of a file is read from disk at a time.
const CHUNK_BYTES: usize = 64 * 1024;

/// A file to upload.
///
/// Build one with [`Upload::from_bytes`], [`Upload::from_path`] or
/// [`Upload::from_url`], optionally set its [`file_name`](Upload::file_name),
/// [`content_type`](Upload::content_type) and
/// [`description`](Upload::description), and pass it to a method of
/// [`UploadsExt`].
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
    /// `file_url`. The size limit then applies on Pylon's side. Attachments
    /// and account files only: training data takes no URL.
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

    /// A description stored with the attachment. Only attachments have one:
    /// account files and training data refuse an upload that sets it.
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

/// Files for `POST /training-data/upload`: 1 to [`MAX_TRAINING_FILES`]
/// files, into an existing training data container or a new one.
///
/// Give every file an external ID ([`file_with_external_id`]) to make a
/// repeated upload replace documents instead of adding copies; Pylon takes
/// external IDs for all files or for none.
///
/// [`file_with_external_id`]: TrainingDataUpload::file_with_external_id
///
/// ```
/// use pylon_sdk::{TrainingDataUpload, Upload, types::TrainingDataVisibility};
///
/// let upload = TrainingDataUpload::into_existing("td_1")
///     .file(Upload::from_bytes("faq.md", "# FAQ\n"))
///     .visibility(TrainingDataVisibility::AiAgentOnly);
/// # let _ = upload;
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct TrainingDataUpload {
    container: Container,
    files: Vec<(Upload, Option<String>)>,
    visibility: Option<types::TrainingDataVisibility>,
}

#[derive(Clone, Debug)]
enum Container {
    Existing(String),
    New(String),
}

impl TrainingDataUpload {
    /// Uploads into the existing container `training_data_id`.
    pub fn into_existing(training_data_id: impl Into<String>) -> Self {
        Self::to(Container::Existing(training_data_id.into()))
    }

    /// Creates a container named `training_data_name` for the files.
    pub fn into_new(training_data_name: impl Into<String>) -> Self {
        Self::to(Container::New(training_data_name.into()))
    }

    fn to(container: Container) -> Self {
        TrainingDataUpload {
            container,
            files: Vec::new(),
            visibility: None,
        }
    }

    /// Adds a file, from bytes or a path; its file name becomes the
    /// document's name.
    pub fn file(mut self, upload: Upload) -> Self {
        self.files.push((upload, None));
        self
    }

    /// Adds a file with your ID for its document, which makes repeating the
    /// upload idempotent.
    pub fn file_with_external_id(mut self, upload: Upload, external_id: impl Into<String>) -> Self {
        self.files.push((upload, Some(external_id.into())));
        self
    }

    /// Who may use the training data (Pylon's default is everyone).
    pub fn visibility(mut self, visibility: types::TrainingDataVisibility) -> Self {
        self.visibility = Some(visibility);
        self
    }
}

/// File uploads, which the generated client cannot send.
pub trait UploadsExt {
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

    /// `POST /accounts/{id}/files`: stores one file (or a URL Pylon
    /// fetches) with the account given by ID or external ID, and returns it
    /// as attachments.
    ///
    /// # Errors
    /// As [`create_attachment`](UploadsExt::create_attachment), and
    /// [`Error::InvalidRequest`] for an empty account ID or an upload with a
    /// description (account files have none).
    fn upload_account_file(
        &self,
        account_id: &str,
        upload: Upload,
    ) -> impl Future<Output = Result<Response<types::AccountFilesResponse>>> + Send;

    /// `POST /training-data/upload`: uploads 1 to [`MAX_TRAINING_FILES`]
    /// files as training data documents and returns the container.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`], before anything is sent, for no files or
    /// more than [`MAX_TRAINING_FILES`], a file over
    /// [`MAX_TRAINING_FILE_BYTES`] or files over
    /// [`MAX_TRAINING_UPLOAD_BYTES`] in all, a URL upload, a description,
    /// external IDs for some files but not all, an empty external ID,
    /// container ID or name, and the file errors of
    /// [`create_attachment`](UploadsExt::create_attachment); otherwise the
    /// errors of any operation.
    fn upload_training_data_files(
        &self,
        upload: TrainingDataUpload,
    ) -> impl Future<Output = Result<Response<types::TrainingDataResponse>>> + Send;
}

impl UploadsExt for Client {
    async fn create_attachment(
        &self,
        upload: Upload,
    ) -> Result<Response<types::AttachmentResponse>> {
        let description = upload.description.clone();
        let file = PreparedFile::check(upload, MAX_ATTACHMENT_BYTES).await?;
        let form = || {
            let form = file.form("file")?;
            Ok(match &description {
                Some(description) => form.text("description", description.clone()),
                None => form,
            })
        };
        send_multipart(self, operations::CREATE_ATTACHMENT, &[], form).await
    }

    async fn upload_account_file(
        &self,
        account_id: &str,
        upload: Upload,
    ) -> Result<Response<types::AccountFilesResponse>> {
        let operation = operations::UPLOAD_ACCOUNT_FILE;
        if account_id.trim().is_empty() {
            return Err(Error::InvalidRequest(format!(
                "{}: the account ID is empty",
                operation.id
            )));
        }
        refuse_description(&upload, "account files")?;
        let file = PreparedFile::check(upload, MAX_ATTACHMENT_BYTES).await?;
        send_multipart(self, operation, &[account_id], || file.form("file")).await
    }

    async fn upload_training_data_files(
        &self,
        upload: TrainingDataUpload,
    ) -> Result<Response<types::TrainingDataResponse>> {
        let prepared = PreparedTrainingData::check(upload).await?;
        send_multipart(self, operations::UPLOAD_TRAINING_DATA_FILES, &[], || {
            prepared.form()
        })
        .await
    }
}

/// Sends `operation` (an upload: its path filled with `path_values`) with
/// a multipart body from `form` through the pipeline every call takes, and
/// decodes the answer. Each attempt builds its own body from `form`,
/// because a streamed body cannot be replayed.
async fn send_multipart<T, F>(
    client: &Client,
    operation: &'static Operation,
    path_values: &[&str],
    form: F,
) -> Result<Response<T>>
where
    T: serde::de::DeserializeOwned,
    F: Fn() -> reqwest::Result<Form> + Send + Sync,
{
    let operations: &generated::Client = client;
    let url = crate::runtime::paths::url(operation, client.base_url(), path_values)?;
    let build = || -> Result<reqwest::Request> {
        let form = form()
            .map_err(|e| Error::InvalidRequest(format!("the upload could not be read: {e}")))?;
        operations
            .client
            .request(operation.method.to_http(), &url)
            .header(
                reqwest::header::ACCEPT,
                reqwest::header::HeaderValue::from_static("application/json"),
            )
            .multipart(form)
            .build()
            .map_err(Error::request_not_built)
    };
    crate::runtime::send(operations, build, operation).await
}

fn refuse_description(upload: &Upload, what: &str) -> Result<()> {
    match upload.description {
        Some(_) => Err(Error::InvalidRequest(format!(
            "{what} have no description; only attachments do"
        ))),
        None => Ok(()),
    }
}

/// A file whose limits were checked, ready to become a form part for every
/// attempt.
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

impl PreparedFile {
    /// Checks the limits Pylon would enforce, before anything is sent.
    async fn check(upload: Upload, max_bytes: u64) -> Result<PreparedFile> {
        let Upload {
            source,
            file_name,
            content_type,
            description: _,
        } = upload;
        Ok(match source {
            Source::Bytes(bytes) => {
                check_size(bytes.len() as u64, max_bytes)?;
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
                check_size(metadata.len(), max_bytes)?;
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
        })
    }

    /// The file's size; a URL's is Pylon's to check.
    fn len(&self) -> u64 {
        match self {
            PreparedFile::Bytes { bytes, .. } => bytes.len() as u64,
            PreparedFile::Path { len, .. } => *len,
            PreparedFile::Url(_) => 0,
        }
    }

    fn name(&self) -> Option<&str> {
        match self {
            PreparedFile::Bytes { name, .. } | PreparedFile::Path { name, .. } => Some(name),
            PreparedFile::Url(_) => None,
        }
    }

    /// A fresh form holding this file as the part `field` (or its URL as
    /// `file_url`).
    fn form(&self, field: &'static str) -> reqwest::Result<Form> {
        Ok(match (self, self.part()?) {
            (PreparedFile::Url(url), _) => Form::new().text("file_url", url.clone()),
            (_, Some(part)) => Form::new().part(field, part),
            (_, None) => Form::new(),
        })
    }

    /// The file as a fresh form part; `None` for a URL, which is sent as
    /// the text field `file_url` instead.
    fn part(&self) -> reqwest::Result<Option<Part>> {
        Ok(Some(match self {
            PreparedFile::Bytes {
                bytes,
                name,
                content_type,
            } => Part::stream_with_length(reqwest::Body::from(bytes.clone()), bytes.len() as u64)
                .file_name(name.clone())
                .mime_str(content_type)?,
            PreparedFile::Path {
                path,
                len,
                name,
                content_type,
            } => Part::stream_with_length(file_body(path.clone()), *len)
                .file_name(name.clone())
                .mime_str(content_type)?,
            PreparedFile::Url(_) => return Ok(None),
        }))
    }
}

/// A training data upload whose limits were checked.
struct PreparedTrainingData {
    container: Container,
    files: Vec<PreparedFile>,
    external_ids: Vec<String>,
    visibility: Option<types::TrainingDataVisibility>,
}

impl PreparedTrainingData {
    async fn check(upload: TrainingDataUpload) -> Result<PreparedTrainingData> {
        let refuse =
            |reason: String| Err(Error::InvalidRequest(format!("training data: {reason}")));
        let TrainingDataUpload {
            container,
            files,
            visibility,
        } = upload;
        match &container {
            Container::Existing(id) if id.trim().is_empty() => {
                return refuse("the container ID is empty".into());
            }
            Container::New(name) if name.trim().is_empty() => {
                return refuse("the new container's name is empty".into());
            }
            _ => {}
        }
        if files.is_empty() || files.len() > MAX_TRAINING_FILES {
            return refuse(format!(
                "{} files given; an upload takes 1 to {MAX_TRAINING_FILES}",
                files.len()
            ));
        }
        let with_ids = files.iter().filter(|(_, id)| id.is_some()).count();
        if with_ids != 0 && with_ids != files.len() {
            return refuse(format!(
                "{with_ids} of {} files have an external ID; give one to every file or to none",
                files.len()
            ));
        }
        let mut prepared = Vec::with_capacity(files.len());
        let mut external_ids = Vec::with_capacity(with_ids);
        let mut total = 0u64;
        for (upload, external_id) in files {
            if matches!(upload.source, Source::Url(_)) {
                return refuse("files must be bytes or paths; Pylon fetches no URL here".into());
            }
            refuse_description(&upload, "training data files")?;
            let file = PreparedFile::check(upload, MAX_TRAINING_FILE_BYTES).await?;
            total = total.saturating_add(file.len());
            if let Some(external_id) = external_id {
                if external_id.trim().is_empty() {
                    return refuse("an external ID is empty".into());
                }
                external_ids.push(external_id);
            }
            prepared.push(file);
        }
        if total > MAX_TRAINING_UPLOAD_BYTES {
            return refuse(format!(
                "the files have {total} bytes in all; Pylon accepts at most \
                 {MAX_TRAINING_UPLOAD_BYTES} per upload"
            ));
        }
        Ok(PreparedTrainingData {
            container,
            files: prepared,
            external_ids,
            visibility,
        })
    }

    /// A fresh form: every file as a `files` part, then one `file_names`
    /// and (when given) one `external_ids` field per file in the same
    /// order, the container and the visibility.
    fn form(&self) -> reqwest::Result<Form> {
        let mut form = Form::new();
        for file in &self.files {
            if let Some(part) = file.part()? {
                form = form.part("files", part);
            }
        }
        for name in self.files.iter().filter_map(PreparedFile::name) {
            form = form.text("file_names", name.to_string());
        }
        for external_id in &self.external_ids {
            form = form.text("external_ids", external_id.clone());
        }
        form = match &self.container {
            Container::Existing(id) => form.text("training_data_id", id.clone()),
            Container::New(name) => form.text("training_data_name", name.clone()),
        };
        Ok(match self.visibility {
            Some(visibility) => form.text("visibility", visibility.to_string()),
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

fn check_size(len: u64, max_bytes: u64) -> Result<()> {
    if len > max_bytes {
        return Err(Error::InvalidRequest(format!(
            "the file has {len} bytes; Pylon accepts at most {max_bytes} \
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
        assert!(check_size(0, MAX_ATTACHMENT_BYTES).is_ok());
        assert!(check_size(MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_BYTES).is_ok());
        assert!(matches!(
            check_size(MAX_ATTACHMENT_BYTES + 1, MAX_ATTACHMENT_BYTES),
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
    fn the_uploads_are_the_multipart_operations() {
        let multipart: Vec<(&str, &str)> = crate::operations::all()
            .iter()
            .filter(|op| op.body() == crate::operations::BodyKind::Multipart)
            .map(|op| (op.id(), op.path()))
            .collect();
        assert_eq!(
            multipart,
            [
                ("create_attachment", "/attachments"),
                ("upload_account_file", "/accounts/{id}/files"),
                ("upload_training_data_files", "/training-data/upload"),
            ]
        );
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
                matches!(
                    PreparedFile::check(upload, MAX_ATTACHMENT_BYTES).await,
                    Err(Error::InvalidRequest(_))
                ),
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

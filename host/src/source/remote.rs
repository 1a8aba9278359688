//! Object stores behind remote URIs (`s3://`, `gs://`, `az://`, `http(s)://`) and local
//! directories, configured from the standard environment variables, and the blocking bridge the
//! synchronous readers use to talk to them. Only the host does I/O; the engine sees record
//! batches.

use crate::error::DataQualityError;
use futures::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::http::HttpBuilder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectMeta, ObjectStore, ObjectStoreExt, RetryConfig};
use std::io::Write;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::runtime::Runtime;

/// A store and where in it a URI points.
#[derive(Debug, Clone)]
pub struct Location {
    pub store: Arc<dyn ObjectStore>,
    /// The key (object path) the URI names, without a leading `/`; may contain glob characters.
    pub key: String,
    /// What precedes a key in the URIs shown to users (`s3://bucket/`, `/` for local files).
    pub root: String,
}

impl Location {
    /// The URI a user knows `key` by.
    pub fn display(&self, key: &str) -> String {
        format!("{}{key}", self.root)
    }
}

/// The runtime every object-store request runs on: one worker, shared by all reads.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .thread_name("truthound-io")
            .build()
            .expect("a one-thread tokio runtime can always be built")
    })
}

/// Retries of transient failures (connection resets, 5xx): a few, within a bounded time, so an
/// unreachable store fails in seconds rather than minutes.
fn retry_config() -> RetryConfig {
    RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(30), ..RetryConfig::default() }
}

/// Whether `endpoint` is a loopback address, where plain HTTP is allowed without asking.
fn is_loopback(endpoint: &str) -> bool {
    let host = endpoint.split("://").nth(1).unwrap_or(endpoint);
    ["127.", "localhost", "[::1]"].iter().any(|prefix| host.starts_with(prefix))
}

/// The store and key of a remote URI. Credentials, region and endpoint come from the
/// environment: `AWS_*` (including `AWS_ENDPOINT_URL` for S3-compatible stores, plain HTTP
/// allowed for loopback endpoints or with `AWS_ALLOW_HTTP=true`), `GOOGLE_*`
/// (`GOOGLE_APPLICATION_CREDENTIALS`, `GOOGLE_SERVICE_ACCOUNT`), `AZURE_*`
/// (`AZURE_STORAGE_ACCOUNT_NAME`, `AZURE_STORAGE_ACCOUNT_KEY`, ...).
pub fn remote_location(uri: &str) -> Result<Location, DataQualityError> {
    let parsed = super::parse_uri(uri);
    let fail = |e: object_store::Error| {
        DataQualityError::configuration("uri", format!("{uri}: cannot configure the store: {e}"))
    };
    if parsed.bucket.is_empty() {
        return Err(DataQualityError::configuration("uri", format!("{uri}: the URI names no bucket or host")));
    }
    let bucket = parsed.bucket.as_str();
    let store: Arc<dyn ObjectStore> = match parsed.scheme.as_str() {
        "s3" | "s3a" => {
            let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket).with_retry(retry_config());
            if is_loopback(&std::env::var("AWS_ENDPOINT_URL").unwrap_or_default()) {
                builder = builder.with_allow_http(true);
            }
            Arc::new(builder.build().map_err(fail)?)
        }
        "gs" | "gcs" => Arc::new(
            GoogleCloudStorageBuilder::from_env()
                .with_bucket_name(bucket)
                .with_retry(retry_config())
                .build()
                .map_err(fail)?,
        ),
        "az" | "azure" | "abfs" | "abfss" => {
            let (container, account) = bucket.split_once('@').map_or((bucket, None), |(c, a)| (c, Some(a)));
            let mut builder =
                MicrosoftAzureBuilder::from_env().with_container_name(container).with_retry(retry_config());
            if let Some(account) = account.and_then(|a| a.split('.').next()) {
                builder = builder.with_account(account);
            }
            Arc::new(builder.build().map_err(fail)?)
        }
        "http" | "https" => {
            let base = format!("{}://{bucket}", parsed.scheme);
            Arc::new(
                HttpBuilder::new()
                    .with_url(base)
                    .with_client_options(ClientOptions::new().with_allow_http(true))
                    .with_retry(retry_config())
                    .build()
                    .map_err(fail)?,
            )
        }
        other => {
            return Err(DataQualityError::configuration("uri", format!("{uri}: unsupported scheme '{other}://'")));
        }
    };
    Ok(Location { store, key: parsed.key, root: format!("{}://{bucket}/", parsed.scheme) })
}

/// The local file system as a store, for listing directories and globs; `path` is made absolute.
pub fn local_location(path: &std::path::Path) -> Result<Location, DataQualityError> {
    let shown = path.display().to_string();
    let absolute = std::path::absolute(path)
        .map_err(|e| DataQualityError::load_data(&shown, format!("{shown}: cannot resolve the path: {e}")))?;
    let key = absolute.to_string_lossy().trim_start_matches('/').to_string();
    Ok(Location { store: Arc::new(LocalFileSystem::new()), key, root: "/".into() })
}

/// An object-store failure as the error a user can act on, naming `uri`.
pub fn store_error(uri: &str, error: object_store::Error) -> DataQualityError {
    let message = match &error {
        object_store::Error::NotFound { .. } => format!("{uri}: no such object"),
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. } => format!(
            "{uri}: access denied; check the credentials in the environment (AWS_ACCESS_KEY_ID / \
             AWS_SECRET_ACCESS_KEY, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_*): {error}"
        ),
        _ => format!("{uri}: cannot read: {error}"),
    };
    DataQualityError::load_data(uri, message)
}

/// The metadata of the object at `key`.
pub fn head(location: &Location, key: &str) -> Result<ObjectMeta, DataQualityError> {
    let uri = location.display(key);
    runtime().block_on(location.store.head(&object_path(&uri, key)?)).map_err(|e| store_error(&uri, e))
}

/// Every object under `prefix` (a directory-like key, `""` for the whole bucket).
pub fn list(location: &Location, prefix: &str) -> Result<Vec<ObjectMeta>, DataQualityError> {
    let uri = location.display(prefix);
    let prefix = object_path(&uri, prefix)?;
    let prefix = if prefix.as_ref().is_empty() { None } else { Some(prefix) };
    runtime().block_on(async {
        let mut objects = Vec::new();
        let mut listing = location.store.list(prefix.as_ref());
        while let Some(meta) = listing.next().await {
            objects.push(meta.map_err(|e| store_error(&uri, e))?);
        }
        Ok(objects)
    })
}

/// Copies the object at `key` into a temporary file, chunk by chunk; a body that ends early
/// (a dropped connection the store's retries could not mend) is an error, never a short file.
pub fn download(location: &Location, key: &str) -> Result<tempfile::NamedTempFile, DataQualityError> {
    let uri = location.display(key);
    let path = object_path(&uri, key)?;
    let io_error =
        |e: std::io::Error| DataQualityError::load_data(&uri, format!("{uri}: cannot spool the object: {e}"));
    let mut file = tempfile::NamedTempFile::new().map_err(io_error)?;
    let (expected, written) = runtime().block_on(async {
        let result = location.store.get(&path).await.map_err(|e| store_error(&uri, e))?;
        let expected = result.meta.size;
        let mut body = result.into_stream();
        let mut written = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| store_error(&uri, e))?;
            file.write_all(&chunk).map_err(io_error)?;
            written += chunk.len() as u64;
        }
        Ok::<_, DataQualityError>((expected, written))
    })?;
    if written != expected {
        let message = format!("{uri}: the transfer ended after {written} of {expected} bytes");
        return Err(DataQualityError::load_data(&uri, message));
    }
    file.flush().map_err(io_error)?;
    Ok(file)
}

/// `key` as an object path.
pub fn object_path(uri: &str, key: &str) -> Result<ObjectPath, DataQualityError> {
    ObjectPath::parse(key)
        .map_err(|e| DataQualityError::configuration("uri", format!("{uri}: not a valid object key: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_allowed_for_loopback_endpoints_only() {
        assert!(is_loopback("http://127.0.0.1:9000"));
        assert!(is_loopback("http://localhost:4566"));
        assert!(!is_loopback("http://minio.example.com"));
        assert!(!is_loopback(""));
    }

    #[test]
    fn uris_become_stores_and_keys() {
        let location = remote_location("https://example.com/data/file.csv").unwrap();
        assert_eq!(
            (location.key.as_str(), location.display("x.csv").as_str()),
            ("data/file.csv", "https://example.com/x.csv")
        );
        let bad = remote_location("ftp://host/x.csv").unwrap_err();
        assert!(bad.message.contains("unsupported scheme 'ftp://'"), "{bad}");
        let no_bucket = remote_location("s3:///x.csv").unwrap_err();
        assert!(no_bucket.message.contains("names no bucket"), "{no_bucket}");
    }
}

//! The `s3` adapter: an S3-compatible bucket (Cloudflare R2 in
//! production). Requests are presigned with `rusty-s3` (SigV4 query
//! signing) at the platform clock's time and sent through the platform's
//! HTTP seam, so the same code runs in the Worker and natively. Flamingo
//! starts each multipart upload, hands Wings presigned part URLs, and
//! completes (or aborts) the upload itself when Wings reports.
//!
//! Presigned URLs carry a signature, never the secret key; neither is logged.

use std::time::Duration;

use rusty_s3::{
    Bucket, Credentials, S3Action, UrlStyle,
    actions::{
        AbortMultipartUpload, CompleteMultipartUpload, CreateMultipartUpload, DeleteObject,
        GetObject, UploadPart,
    },
};

use crate::{
    config::S3Config,
    error::ApiError,
    platform::http::{Http, HttpError, HttpRequest, Method},
};

/// How long part URLs stay valid: long enough for a large archive.
pub const PART_URL_TTL: Duration = Duration::from_secs(6 * 3600);
/// How long a browser's download URL stays valid.
pub const DOWNLOAD_URL_TTL: Duration = Duration::from_secs(5 * 60);
/// How long Wings' restore download URL stays valid.
pub const RESTORE_URL_TTL: Duration = Duration::from_secs(3600);
/// The deadline of one request to the bucket.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// The most parts S3 accepts in one upload.
pub const MAX_PARTS: u64 = 10_000;

/// One bucket, signing at one instant.
pub struct Storage<'a> {
    http: &'a dyn Http,
    bucket: Bucket,
    credentials: Credentials,
    now: jiff::Timestamp,
}

/// Where a backup's archive lives in the bucket.
pub fn object_key(server_id: &str, backup_id: &str) -> String {
    format!("backups/{server_id}/{backup_id}.tar.gz")
}

fn storage_error(what: &str, detail: &str) -> ApiError {
    crate::error::log_error("backup_storage", &format!("{what}: {detail}"));
    ApiError::Gateway {
        timed_out: false,
        code: "storage_failed",
        message: format!("The backup storage could not {what}."),
    }
}

impl<'a> Storage<'a> {
    /// The bucket of `config`, signing at `now_ms`.
    pub fn new(http: &'a dyn Http, config: &S3Config, now_ms: i64) -> Result<Self, ApiError> {
        let endpoint = config
            .endpoint
            .parse()
            .map_err(|_| ApiError::Misconfigured("S3_ENDPOINT is not a URL"))?;
        let style = if config.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(
            endpoint,
            style,
            config.bucket.clone(),
            config.region.clone(),
        )
        .map_err(|_| ApiError::Misconfigured("S3_ENDPOINT or S3_BUCKET is not usable"))?;
        let now = jiff::Timestamp::from_millisecond(now_ms)
            .map_err(|e| ApiError::Internal(format!("clock: {e}")))?;
        Ok(Storage {
            http,
            bucket,
            credentials: Credentials::new(config.access_key.clone(), config.secret_key.clone()),
            now,
        })
    }

    async fn send(
        &self,
        what: &str,
        method: Method,
        url: String,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
    ) -> Result<String, ApiError> {
        let response = self
            .http
            .send(HttpRequest {
                method,
                url,
                headers,
                body,
                timeout: CALL_TIMEOUT,
            })
            .await
            .map_err(|e| match e {
                HttpError::Timeout => ApiError::Gateway {
                    timed_out: true,
                    code: "storage_timeout",
                    message: format!("The backup storage did not answer in time to {what}."),
                },
                other => storage_error(what, &other.to_string()),
            })?;
        let text = String::from_utf8_lossy(&response.body).into_owned();
        // S3 may answer 200 to a completion and still report an error inside.
        if !(200..300).contains(&response.status) || text.contains("<Error>") {
            let code = between(&text, "<Code>", "</Code>").unwrap_or("no error code");
            return Err(storage_error(
                what,
                &format!("status {}: {code}", response.status),
            ));
        }
        Ok(text)
    }

    /// Starts a multipart upload of `key` (stored as `application/x-gzip`,
    /// what Wings' restore wants to download); its upload id.
    pub async fn start_upload(&self, key: &str) -> Result<String, ApiError> {
        let url = CreateMultipartUpload::new(&self.bucket, Some(&self.credentials), key)
            .sign_with_time(PART_URL_TTL, &self.now);
        let text = self
            .send(
                "start an upload",
                Method::Post,
                url.to_string(),
                vec![("Content-Type".into(), "application/x-gzip".into())],
                None,
            )
            .await?;
        between(&text, "<UploadId>", "</UploadId>")
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| storage_error("start an upload", "no UploadId in the answer"))
    }

    /// Presigned PUT URLs for parts 1 to `count` of the upload.
    pub fn part_urls(&self, key: &str, upload_id: &str, count: u16) -> Vec<String> {
        (1..=count)
            .map(|n| {
                UploadPart::new(&self.bucket, Some(&self.credentials), key, n, upload_id)
                    .sign_with_time(PART_URL_TTL, &self.now)
                    .to_string()
            })
            .collect()
    }

    /// Completes the upload with the parts' ETags, in part order from 1.
    pub async fn complete(
        &self,
        key: &str,
        upload_id: &str,
        etags: &[String],
    ) -> Result<(), ApiError> {
        let action = CompleteMultipartUpload::new(
            &self.bucket,
            Some(&self.credentials),
            key,
            upload_id,
            etags.iter().map(String::as_str),
        );
        let url = action.sign_with_time(PART_URL_TTL, &self.now).to_string();
        let body = action.body().into_bytes();
        self.send(
            "complete the upload",
            Method::Post,
            url,
            Vec::new(),
            Some(body),
        )
        .await
        .map(drop)
    }

    /// Aborts the upload, freeing its parts.
    pub async fn abort(&self, key: &str, upload_id: &str) -> Result<(), ApiError> {
        let url = AbortMultipartUpload::new(&self.bucket, Some(&self.credentials), key, upload_id)
            .sign_with_time(PART_URL_TTL, &self.now)
            .to_string();
        self.send("abort the upload", Method::Delete, url, Vec::new(), None)
            .await
            .map(drop)
    }

    /// A presigned GET of `key`, valid for `ttl`.
    pub fn get_url(&self, key: &str, ttl: Duration) -> String {
        GetObject::new(&self.bucket, Some(&self.credentials), key)
            .sign_with_time(ttl, &self.now)
            .to_string()
    }

    /// Deletes `key` (absent is fine: S3 answers 204 either way).
    pub async fn delete(&self, key: &str) -> Result<(), ApiError> {
        let url = DeleteObject::new(&self.bucket, Some(&self.credentials), key)
            .sign_with_time(PART_URL_TTL, &self.now)
            .to_string();
        self.send("delete the archive", Method::Delete, url, Vec::new(), None)
            .await
            .map(drop)
    }
}

/// The text between `start` and `end`.
fn between<'t>(text: &'t str, start: &str, end: &str) -> Option<&'t str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(text[from..to].trim())
}

/// How many parts of `part_size` bytes hold `size` bytes (at least one).
pub fn part_count(size: u64, part_size: u64) -> u64 {
    size.div_ceil(part_size.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_the_archive() {
        assert_eq!(part_count(0, 10), 1);
        assert_eq!(part_count(10, 10), 1);
        assert_eq!(part_count(11, 10), 2);
        assert_eq!(
            part_count(5 * 1024 * 1024 * 1024 + 1, 5 * 1024 * 1024 * 1024),
            2
        );
    }

    #[test]
    fn answers_are_read_between_tags() {
        let xml = "<InitiateMultipartUploadResult><Bucket>b</Bucket><UploadId>abc-1</UploadId></InitiateMultipartUploadResult>";
        assert_eq!(between(xml, "<UploadId>", "</UploadId>"), Some("abc-1"));
        assert_eq!(between(xml, "<Code>", "</Code>"), None);
    }

    #[test]
    fn presigned_urls_carry_a_signature_and_never_the_secret() {
        struct NoHttp;
        #[async_trait::async_trait]
        impl Http for NoHttp {
            async fn send(
                &self,
                _: HttpRequest,
            ) -> Result<crate::platform::http::HttpResponse, HttpError> {
                Err(HttpError::Unreachable("no".into()))
            }
        }
        let config = S3Config {
            endpoint: "http://127.0.0.1:9000".into(),
            region: "auto".into(),
            bucket: "flamingo".into(),
            access_key: "AKIDEXAMPLE".into(),
            secret_key: "very-secret-key".into(),
            path_style: true,
            part_size: 5 * 1024 * 1024,
        };
        let storage = Storage::new(&NoHttp, &config, 1_795_341_600_000).expect("storage");
        let urls = storage.part_urls("backups/a/b.tar.gz", "up-1", 2);
        assert_eq!(urls.len(), 2);
        for (i, url) in urls.iter().enumerate() {
            assert!(url.starts_with("http://127.0.0.1:9000/flamingo/backups/a/b.tar.gz?"));
            assert!(url.contains(&format!("partNumber={}", i + 1)), "{url}");
            assert!(url.contains("uploadId=up-1"));
            assert!(url.contains("X-Amz-Signature="));
            assert!(!url.contains("very-secret-key"));
        }
        let get = storage.get_url("backups/a/b.tar.gz", DOWNLOAD_URL_TTL);
        assert!(get.contains("X-Amz-Expires=300"), "{get}");
        assert!(!format!("{config:?}").contains("very-secret-key"));
    }
}

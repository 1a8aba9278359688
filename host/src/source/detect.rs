//! What kind of data source a string names (the reference's `detect_data_source_type`, without
//! its quirks) and the parts of a URI.

/// Kinds of data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataSourceType {
    /// A local path (absolute, relative, `~/`, `file://`, `C:/`), present or not.
    File,
    /// A remote object: `s3://`, `gs://`, `gcs://`, `http(s)://`, `az://`, `azure://`, `abfs://`.
    Uri,
    /// Data written in the argument itself: a JSON list of records or a mapping of columns.
    Inline,
    /// A Kestra expression (`{{ outputs.task.uri }}`) that was passed unrendered.
    Output,
    /// A secret reference (`secret://NAME`, `{{ secret('NAME') }}`).
    Secret,
}

impl DataSourceType {
    /// The reference's value (`file`, `uri`, `inline`, `output`, `secret`).
    pub fn as_str(self) -> &'static str {
        match self {
            DataSourceType::File => "file",
            DataSourceType::Uri => "uri",
            DataSourceType::Inline => "inline",
            DataSourceType::Output => "output",
            DataSourceType::Secret => "secret",
        }
    }
}

/// Schemes of remote sources.
const REMOTE_SCHEMES: [&str; 8] = ["s3://", "gs://", "gcs://", "http://", "https://", "az://", "azure://", "abfs://"];

/// Decides what `source` names. Unlike the reference, secrets are recognised inside `{{ }}`,
/// every path form is a file (`../x`, `~/x`, `file://`, `C:/x`, or a bare name that does not
/// exist yet, which is then reported missing), and only text starting with `{` or `[` is
/// inline data.
pub fn detect_data_source_type(source: &str) -> DataSourceType {
    let source = source.trim();
    let lower = source.to_ascii_lowercase();
    if REMOTE_SCHEMES.iter().any(|scheme| lower.starts_with(scheme)) {
        return DataSourceType::Uri;
    }
    let expression = source.strip_prefix("{{").and_then(|s| s.strip_suffix("}}")).map(str::trim);
    if lower.starts_with("secret://") || expression.is_some_and(|e| e.starts_with("secret")) {
        return DataSourceType::Secret;
    }
    if expression.is_some() {
        return DataSourceType::Output;
    }
    if source.starts_with('{') || source.starts_with('[') {
        if std::path::Path::new(source).exists() {
            return DataSourceType::File;
        }
        return DataSourceType::Inline;
    }
    DataSourceType::File
}

/// The parts of a URI (the reference's `parse_uri`): `bucket` is the host part, `key` the path
/// without its leading `/`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedUri {
    pub scheme: String,
    pub bucket: String,
    pub key: String,
    pub path: String,
    pub query: String,
    pub fragment: String,
}

/// Splits `uri` into scheme, bucket (host), path, query and fragment; a plain path has an empty
/// scheme and bucket.
pub fn parse_uri(uri: &str) -> ParsedUri {
    let (rest, fragment) = uri.split_once('#').unwrap_or((uri, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (scheme, bucket, path) = match rest.split_once("://") {
        Some((scheme, after)) => {
            let (bucket, path) = after.find('/').map_or((after, ""), |i| after.split_at(i));
            (scheme.to_ascii_lowercase(), bucket, path)
        }
        None => (String::new(), "", rest),
    };
    ParsedUri {
        scheme,
        bucket: bucket.to_string(),
        key: path.trim_start_matches('/').to_string(),
        path: path.to_string(),
        query: query.to_string(),
        fragment: fragment.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataSourceType::*;

    #[test]
    fn the_references_examples() {
        for (source, expected) in [
            ("/path/file.csv", File),
            ("./data.parquet", File),
            ("s3://bucket/key.parquet", Uri),
            ("gs://bucket/key.csv", Uri),
            ("https://example.com/data.csv", Uri),
            ("{{ outputs.task.uri }}", Output),
            ("secret://x", Secret),
        ] {
            assert_eq!(detect_data_source_type(source), expected, "{source}");
        }
        assert_eq!(parse_uri("https://example.com/data/file.csv").bucket, "example.com");
    }

    #[test]
    fn the_references_quirks_are_fixed() {
        for source in ["data.csv", "../x.csv", "~/x.csv", "file:///tmp/x.csv", "C:/data/x.csv", "some_data", " a.csv "]
        {
            assert_eq!(detect_data_source_type(source), File, "{source} is a path, not inline JSON");
        }
        assert_eq!(detect_data_source_type("{{secret.x}}"), Secret);
        assert_eq!(detect_data_source_type("{{ secret('TOKEN') }}"), Secret);
        assert_eq!(detect_data_source_type("[{\"id\": 1}]"), Inline);
        assert_eq!(detect_data_source_type(" {\"id\": [1, 2]}"), Inline);
        assert_eq!(detect_data_source_type("S3://bucket/x"), Uri);
        assert_eq!(detect_data_source_type("abfs://container/x"), Uri);
    }

    #[test]
    fn uris_split_into_their_parts() {
        let parsed = parse_uri("s3://bucket/dir/file.parquet?versionId=3#frag");
        assert_eq!(
            parsed,
            ParsedUri {
                scheme: "s3".into(),
                bucket: "bucket".into(),
                key: "dir/file.parquet".into(),
                path: "/dir/file.parquet".into(),
                query: "versionId=3".into(),
                fragment: "frag".into(),
            }
        );
        let local = parse_uri("data/file.csv");
        assert_eq!((local.scheme.as_str(), local.key.as_str()), ("", "data/file.csv"));
        assert_eq!(parse_uri("file:///tmp/x.csv").path, "/tmp/x.csv");
    }
}

//! Many files as one data set: which objects a glob or a directory-like URI names (sorted, so the
//! order is deterministic), the Hive-style partition values in their paths
//! (`.../country=FR/part-0.parquet`), and one stream of batches over all of them whose schemas
//! must agree.

use super::BatchSource;
use crate::error::DataQualityError;
use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use std::sync::Arc;

/// Characters that make a key a glob pattern.
const GLOB_CHARACTERS: [char; 3] = ['*', '?', '['];

/// Whether `key` is a glob pattern.
pub fn is_glob(key: &str) -> bool {
    key.contains(GLOB_CHARACTERS)
}

/// The directory part of `pattern` before its first glob character (where listing starts).
pub fn listing_base(pattern: &str) -> &str {
    let first_glob = pattern.find(GLOB_CHARACTERS).unwrap_or(pattern.len());
    pattern[..first_glob].rfind('/').map_or("", |slash| &pattern[..=slash])
}

/// `pattern` as an anchored regular expression: `*` and `?` stay within one path segment, `**`
/// crosses segments, `[...]` is a character class.
pub fn glob_regex(pattern: &str) -> regex::Regex {
    let mut expression = String::from("^");
    let mut characters = pattern.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '*' if characters.peek() == Some(&'*') => {
                characters.next();
                expression.push_str(".*");
            }
            '*' => expression.push_str("[^/]*"),
            '?' => expression.push_str("[^/]"),
            '[' => {
                expression.push('[');
                if characters.peek() == Some(&'!') {
                    characters.next();
                    expression.push('^');
                }
                for inner in characters.by_ref() {
                    if inner == ']' {
                        break;
                    }
                    if inner == '\\' || inner == '[' {
                        expression.push('\\');
                    }
                    expression.push(inner);
                }
                expression.push(']');
            }
            other => expression.push_str(&regex::escape(&other.to_string())),
        }
    }
    expression.push('$');
    regex::Regex::new(&expression).unwrap_or_else(|_| regex::Regex::new(&regex::escape(pattern)).expect("escaped"))
}

/// Whether a listed key is data rather than a marker or hidden file (`_SUCCESS`, `.crc`, ...).
pub fn is_data_key(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    !name.is_empty() && !name.starts_with('_') && !name.starts_with('.')
}

/// The Hive-style partitions (`name=value` directories) of `relative`, a key below the listing
/// base, in path order.
pub fn partitions(relative: &str) -> Vec<(String, String)> {
    let directories = relative.rsplit_once('/').map_or("", |(directories, _)| directories);
    directories
        .split('/')
        .filter_map(|segment| segment.split_once('='))
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

/// One file of a data set: the URI it is shown by and the partition values in its path.
pub struct Member {
    pub uri: String,
    pub partitions: Vec<(String, String)>,
}

/// Streams every member in order as one data set: `open` reads one member (with the columns
/// asked for, partition columns excluded); the partition values are appended as string
/// columns; a member whose columns differ from the first's is an error naming it.
pub fn concatenate(
    members: Vec<Member>,
    columns: Option<&[String]>,
    open: impl Fn(&str, Option<&[String]>) -> Result<BatchSource, DataQualityError> + Send + 'static,
) -> Result<BatchSource, DataQualityError> {
    let partition_names: Vec<String> =
        members.first().map_or(vec![], |m| m.partitions.iter().map(|(name, _)| name.clone()).collect());
    let file_columns: Option<Vec<String>> =
        columns.map(|c| c.iter().filter(|c| !partition_names.contains(c)).cloned().collect());
    let wanted: Vec<String> =
        partition_names.iter().filter(|name| columns.is_none_or(|c| c.contains(name))).cloned().collect();
    let mut members = members.into_iter();
    let first = members.next().expect("a data set has at least one member");
    let opened = open(&first.uri, file_columns.as_deref())?;
    let with_partitions = |schema: &SchemaRef, names: &[String]| -> SchemaRef {
        let mut fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
        fields.extend(
            names
                .iter()
                .filter(|n| schema.index_of(n).is_err())
                .map(|n| Arc::new(Field::new(n.as_str(), DataType::Utf8, false))),
        );
        Arc::new(Schema::new(fields))
    };
    let source_schema = with_partitions(&opened.source_schema, &partition_names);
    let schema = with_partitions(&opened.schema, &wanted);
    let format = opened.format;
    let expected = opened.source_schema.clone();
    let first_stream = tag(opened.batches, &first, schema.clone());
    let rest_schema = schema.clone();
    let rest = members.flat_map(move |member| -> Box<dyn Iterator<Item = _> + Send> {
        let agreeing = open(&member.uri, file_columns.as_deref()).and_then(|next| {
            agrees_with_first(&member, &next.source_schema, &partition_names, &expected)?;
            Ok(next)
        });
        match agreeing {
            Ok(next) => tag(next.batches, &member, rest_schema.clone()),
            Err(error) => Box::new(std::iter::once(Err(error))),
        }
    });
    Ok(BatchSource { format, source_schema, schema, batches: Box::new(first_stream.chain(rest)) })
}

/// Whether `member`, whose file reads with `schema`, agrees with the data set's first file (its
/// `first_schema` and partition directory names `first_partitions`): an error naming it if not.
pub fn agrees_with_first(
    member: &Member,
    schema: &Schema,
    first_partitions: &[String],
    first_schema: &Schema,
) -> Result<(), DataQualityError> {
    if schema.fields() != first_schema.fields() {
        let message = format!(
            "{}: its columns ({}) differ from the data set's first file ({}); all files of a glob or \
             directory must share one schema",
            member.uri,
            describe(schema),
            describe(first_schema)
        );
        return Err(DataQualityError::load_data(&member.uri, message));
    }
    if member.partitions.iter().map(|(n, _)| n).ne(first_partitions.iter()) {
        let message = format!("{}: its partition directories differ from the first file's", member.uri);
        return Err(DataQualityError::load_data(&member.uri, message));
    }
    Ok(())
}

type Batches = Box<dyn Iterator<Item = Result<RecordBatch, DataQualityError>> + Send>;

/// A member's batches with its partition values appended as the columns of `schema` they fill.
fn tag(batches: Batches, member: &Member, schema: SchemaRef) -> Batches {
    let partitions = member.partitions.clone();
    let uri = member.uri.clone();
    Box::new(batches.map(move |batch| {
        let batch = batch?;
        let mut arrays: Vec<ArrayRef> = batch.columns().to_vec();
        for field in schema.fields().iter().skip(arrays.len()) {
            let value = partitions.iter().find(|(name, _)| name == field.name()).map_or("", |(_, v)| v.as_str());
            arrays.push(Arc::new(StringArray::from(vec![value; batch.num_rows()])));
        }
        RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| DataQualityError::load_data(&uri, format!("{uri}: cannot add the partition columns: {e}")))
    }))
}

fn describe(schema: &Schema) -> String {
    schema.fields().iter().map(|f| format!("{}: {}", f.name(), f.data_type())).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_within_segments_unless_doubled() {
        let pattern = glob_regex("events/2026-11-*.parquet");
        assert!(pattern.is_match("events/2026-11-01.parquet"));
        assert!(!pattern.is_match("events/2026-12-01.parquet"));
        assert!(!pattern.is_match("events/2026-11-01/x.parquet"));
        assert!(glob_regex("events/**/*.csv").is_match("events/country=FR/day=1/part.csv"));
        assert!(glob_regex("part-[0-1].csv").is_match("part-1.csv"));
        assert!(!glob_regex("part-[!0].csv").is_match("part-0.csv"));
        assert!(glob_regex("a.b?").is_match("a.bc") && !glob_regex("a.b?").is_match("axbc"));
    }

    #[test]
    fn listing_starts_at_the_last_directory_before_the_glob() {
        assert_eq!(listing_base("events/2026-11-*.parquet"), "events/");
        assert_eq!(listing_base("*.csv"), "");
        assert_eq!(listing_base("a/b/c*/d.csv"), "a/b/");
    }

    #[test]
    fn hive_partitions_come_from_directories_only() {
        assert_eq!(
            partitions("country=FR/day=2026-11-01/part-0.parquet"),
            vec![("country".into(), "FR".into()), ("day".into(), "2026-11-01".into())]
        );
        assert!(partitions("plain/x=1.csv").is_empty());
        assert!(is_data_key("events/part-0.csv") && !is_data_key("events/_SUCCESS") && !is_data_key("events/.x.crc"));
    }
}

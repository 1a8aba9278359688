//! Kestra's id patterns (kestra-syntax.md §0): validation, and sanitisation when asked for.

use super::FlowError;

/// Which Kestra pattern an id must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    /// `^[a-zA-Z0-9][a-zA-Z0-9._-]*`, 1 to 100 characters.
    Flow,
    /// `^[a-z0-9][a-z0-9._-]*`, 1 to 150 characters.
    Namespace,
    /// Task and trigger ids: `^[a-zA-Z0-9][a-zA-Z0-9_-]*` (no dots), at most 256 characters.
    Task,
    /// Input and output ids: `^[a-zA-Z0-9][.a-zA-Z0-9_-]*`.
    Io,
}

impl IdKind {
    fn allows(self, c: char) -> bool {
        match self {
            IdKind::Flow | IdKind::Io => c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'),
            IdKind::Namespace => c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'),
            IdKind::Task => c.is_ascii_alphanumeric() || matches!(c, '_' | '-'),
        }
    }

    fn max_len(self) -> usize {
        match self {
            IdKind::Flow => 100,
            IdKind::Namespace => 150,
            IdKind::Task | IdKind::Io => 256,
        }
    }

    fn pattern(self) -> &'static str {
        match self {
            IdKind::Flow => "^[a-zA-Z0-9][a-zA-Z0-9._-]*$ (at most 100 characters)",
            IdKind::Namespace => "^[a-z0-9][a-z0-9._-]*$ (lowercase, at most 150 characters)",
            IdKind::Task => "^[a-zA-Z0-9][a-zA-Z0-9_-]*$ (no dots, at most 256 characters)",
            IdKind::Io => "^[a-zA-Z0-9][.a-zA-Z0-9_-]*$",
        }
    }
}

/// Whether `id` matches Kestra's pattern for `kind`.
pub fn is_valid(id: &str, kind: IdKind) -> bool {
    let mut chars = id.chars();
    match chars.next() {
        Some(first) if first.is_ascii_alphanumeric() && kind.allows(first) => {}
        _ => return false,
    }
    id.len() <= kind.max_len() && chars.all(|c| kind.allows(c))
}

/// Makes `id` match `kind`: lowercases namespaces, replaces other characters with `_`, strips
/// leading characters that cannot start an id, truncates. `None` when nothing usable is left.
pub fn sanitize(id: &str, kind: IdKind) -> Option<String> {
    let id = if kind == IdKind::Namespace { id.to_lowercase() } else { id.to_string() };
    let replaced: String = id.chars().map(|c| if kind.allows(c) { c } else { '_' }).collect();
    let trimmed = replaced.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    let out: String = trimmed.chars().take(kind.max_len()).collect();
    if out.is_empty() { None } else { Some(out) }
}

/// `id` checked against `kind`, or sanitised when `sanitize` is set; `field` names it in errors.
pub fn checked(id: &str, kind: IdKind, field: &str, sanitize_ids: bool) -> Result<String, FlowError> {
    if is_valid(id, kind) {
        return Ok(id.to_string());
    }
    if sanitize_ids && let Some(clean) = sanitize(id, kind) {
        return Ok(clean);
    }
    let hint = if sanitize_ids { "" } else { " (or set sanitize_ids: true / --sanitize-ids)" };
    Err(FlowError::new(field, format!("{id:?} is not a valid Kestra id: it must match {}{hint}", kind.pattern())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_kestra() {
        assert!(is_valid("My_flow.v2-x", IdKind::Flow));
        assert!(!is_valid("_flow", IdKind::Flow));
        assert!(!is_valid("", IdKind::Flow));
        assert!(is_valid("company.team", IdKind::Namespace));
        assert!(!is_valid("Company.team", IdKind::Namespace));
        assert!(!is_valid("check.quality", IdKind::Task));
        assert!(is_valid("check-quality_1", IdKind::Task));
        assert!(!is_valid(&"a".repeat(101), IdKind::Flow));
        assert!(is_valid("nested.out", IdKind::Io));
    }

    #[test]
    fn sanitising_yields_valid_ids() {
        assert_eq!(sanitize("Sales Team/EU", IdKind::Namespace).as_deref(), Some("sales_team_eu"));
        assert_eq!(sanitize("check.quality", IdKind::Task).as_deref(), Some("check_quality"));
        assert_eq!(sanitize("--é x", IdKind::Flow).as_deref(), Some("x"));
        assert_eq!(sanitize("___", IdKind::Task), None);
        for (raw, kind) in [("Ünïcode id", IdKind::Flow), ("A.B", IdKind::Namespace), ("x.y z", IdKind::Task)] {
            assert!(is_valid(&sanitize(raw, kind).unwrap(), kind));
        }
        assert!(checked("bad id", IdKind::Flow, "id", false).unwrap_err().to_string().contains("id"));
        assert_eq!(checked("bad id", IdKind::Flow, "id", true).unwrap(), "bad_id");
    }
}

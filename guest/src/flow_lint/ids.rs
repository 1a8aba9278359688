//! Kestra's id and namespace patterns (`@Pattern` full matches, kestra-syntax.md §0, §1.1, §1.3,
//! §1.4) and fully qualified plugin type names.

/// A kind of identifier, each with its own pattern and length limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdKind {
    /// Flow `id`: `[a-zA-Z0-9][a-zA-Z0-9._-]*`, 1-100 characters.
    Flow,
    /// `namespace`: lowercase `[a-z0-9][a-z0-9._-]*`, 1-150 characters.
    Namespace,
    /// Task and trigger ids: `[a-zA-Z0-9][a-zA-Z0-9_-]*` (no dots), at most 256 characters.
    Task,
    /// Input and flow output ids: `[a-zA-Z0-9][.a-zA-Z0-9_-]*` (dots nest).
    Input,
}

impl IdKind {
    fn max_len(self) -> usize {
        match self {
            IdKind::Flow => 100,
            IdKind::Namespace => 150,
            IdKind::Task => 256,
            IdKind::Input => usize::MAX,
        }
    }

    fn allows_first(self, c: char) -> bool {
        match self {
            IdKind::Namespace => c.is_ascii_lowercase() || c.is_ascii_digit(),
            _ => c.is_ascii_alphanumeric(),
        }
    }

    fn allows_next(self, c: char) -> bool {
        match self {
            IdKind::Namespace => c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'),
            IdKind::Task => c.is_ascii_alphanumeric() || matches!(c, '_' | '-'),
            IdKind::Flow | IdKind::Input => c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'),
        }
    }

    fn pattern(self) -> &'static str {
        match self {
            IdKind::Flow => "^[a-zA-Z0-9][a-zA-Z0-9._-]*$",
            IdKind::Namespace => "^[a-z0-9][a-z0-9._-]*$ (lowercase only)",
            IdKind::Task => "^[a-zA-Z0-9][a-zA-Z0-9_-]*$ (no dots)",
            IdKind::Input => "^[a-zA-Z0-9][.a-zA-Z0-9_-]*$",
        }
    }
}

/// Why `id` does not match `kind`'s pattern, or `None` when it does.
pub(crate) fn id_problem(id: &str, kind: IdKind) -> Option<String> {
    let mut chars = id.chars();
    let well_formed = chars.next().is_some_and(|c| kind.allows_first(c)) && chars.all(|c| kind.allows_next(c));
    if !well_formed {
        return Some(format!("'{id}' does not match {}", kind.pattern()));
    }
    let length = id.chars().count();
    (length > kind.max_len())
        .then(|| format!("'{id}' is {length} characters long, at most {} are allowed", kind.max_len()))
}

/// Whether `name` is a dotted Java class name with a package (`io.kestra.plugin.core.log.Log`),
/// as Kestra's task `type` pattern requires; short names like `Log` are not resolved.
pub(crate) fn is_qualified_type(name: &str) -> bool {
    let is_segment = |segment: &str| {
        let mut chars = segment.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
            && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    };
    name.contains('.') && name.split('.').all(is_segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_have_no_dots_but_flow_ids_may() {
        assert_eq!(id_problem("check_quality", IdKind::Task), None);
        assert!(id_problem("check.quality", IdKind::Task).unwrap().contains("no dots"));
        assert_eq!(id_problem("check.quality", IdKind::Flow), None);
        assert_eq!(id_problem("a.b-c_1", IdKind::Input), None);
    }

    #[test]
    fn namespaces_are_lowercase_and_ids_start_alphanumeric() {
        assert_eq!(id_problem("company.team", IdKind::Namespace), None);
        assert!(id_problem("Company.team", IdKind::Namespace).is_some());
        assert!(id_problem("_flow", IdKind::Flow).is_some());
        assert!(id_problem("", IdKind::Task).is_some());
        assert!(id_problem("has space", IdKind::Task).is_some());
    }

    #[test]
    fn lengths_are_limited() {
        assert_eq!(id_problem(&"a".repeat(100), IdKind::Flow), None);
        assert!(id_problem(&"a".repeat(101), IdKind::Flow).unwrap().contains("at most 100"));
        assert!(id_problem(&"a".repeat(151), IdKind::Namespace).is_some());
    }

    #[test]
    fn types_must_be_qualified_java_names() {
        assert!(is_qualified_type("io.kestra.plugin.core.log.Log"));
        assert!(!is_qualified_type("Log"));
        assert!(!is_qualified_type("io.kestra..Log"));
        assert!(!is_qualified_type("io.kestra.plugin.1core.Log"));
    }
}

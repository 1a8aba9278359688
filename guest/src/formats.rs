//! Named text formats (email, UUID, URL, IP addresses, ISO dates, phone numbers, numbers as
//! text): fast hand-written byte-level validators, each with an equivalent regular expression
//! for documentation and for engines that only take patterns.
//!
//! Every format matches the WHOLE value: no surrounding whitespace, no partial match (the regex
//! strings are anchored with `^...$` accordingly). Only ASCII is accepted: internationalised
//! email addresses or URLs with non-ASCII characters do not match.

use crate::temporal::days_in_month;

// Pieces of the regular expressions, as macros so that `concat!` can join them at compile time.

/// One dot-separated atom of an email's local part.
macro_rules! email_atom {
    () => {
        "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
    };
}

/// A host name label: letters, digits and inner hyphens, at most 63 characters.
macro_rules! host_label {
    () => {
        "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    };
}

macro_rules! ipv4 {
    () => {
        "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}"
    };
}

macro_rules! h16 {
    () => {
        "[0-9A-Fa-f]{1,4}"
    };
}

/// The last 32 bits of an IPv6 address: two groups or an IPv4 address.
macro_rules! ls32 {
    () => {
        concat!("(?:", h16!(), ":", h16!(), "|", ipv4!(), ")")
    };
}

/// RFC 3986's `IPv6address` rule, alternative by alternative.
macro_rules! ipv6 {
    () => {
        concat!(
            "(?:(?:",
            h16!(),
            ":){6}",
            ls32!(),
            "|::(?:",
            h16!(),
            ":){5}",
            ls32!(),
            "|(?:",
            h16!(),
            ")?::(?:",
            h16!(),
            ":){4}",
            ls32!(),
            "|(?:(?:",
            h16!(),
            ":){0,1}",
            h16!(),
            ")?::(?:",
            h16!(),
            ":){3}",
            ls32!(),
            "|(?:(?:",
            h16!(),
            ":){0,2}",
            h16!(),
            ")?::(?:",
            h16!(),
            ":){2}",
            ls32!(),
            "|(?:(?:",
            h16!(),
            ":){0,3}",
            h16!(),
            ")?::",
            h16!(),
            ":",
            ls32!(),
            "|(?:(?:",
            h16!(),
            ":){0,4}",
            h16!(),
            ")?::",
            ls32!(),
            "|(?:(?:",
            h16!(),
            ":){0,5}",
            h16!(),
            ")?::",
            h16!(),
            "|(?:(?:",
            h16!(),
            ":){0,6}",
            h16!(),
            ")?::)"
        )
    };
}

/// `YYYY-MM-DD` of a day that exists: 31-day months, 30-day months, February up to the 28th,
/// and February 29th of leap years (divisible by 4 but not by 100, or by 400; year 0000 is one).
macro_rules! iso_date {
    () => {
        concat!(
            "(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)",
            "|02-(?:0[1-9]|1[0-9]|2[0-8]))",
            "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[048]|[2468][048]|[13579][26])00)-02-29)"
        )
    };
}

/// A named text format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Uuid,
    Email,
    Url,
    Ipv4,
    Ipv6,
    IsoTimestamp,
    IsoDate,
    IntegerText,
    DecimalText,
    Phone,
}

impl Format {
    /// Every format, from the most specific to the least: the first format that every value of
    /// a column matches is the best description of the column (an ISO date is also phone-like,
    /// an integer also a decimal).
    pub const ALL: [Format; 10] = [
        Format::Uuid,
        Format::Email,
        Format::Url,
        Format::Ipv4,
        Format::Ipv6,
        Format::IsoTimestamp,
        Format::IsoDate,
        Format::IntegerText,
        Format::DecimalText,
        Format::Phone,
    ];

    /// The format's name in rule documents (`email`, `iso_date`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Format::Uuid => "uuid",
            Format::Email => "email",
            Format::Url => "url",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::IsoTimestamp => "iso_timestamp",
            Format::IsoDate => "iso_date",
            Format::IntegerText => "integer_text",
            Format::DecimalText => "decimal_text",
            Format::Phone => "phone",
        }
    }

    /// The format called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }

    /// What a matching value looks like, in one sentence for people.
    pub const fn description(self) -> &'static str {
        match self {
            Format::Uuid => "a UUID in the hyphenated 8-4-4-4-12 hex form, any version, either case",
            Format::Email => {
                "an email address: dot-separated atoms of letters, digits and ``!#$%&'*+/=?^_`{|}~-`` before the `@`, \
                 a host name with at least two labels after it, the last one 2 to 63 letters"
            }
            Format::Url => {
                "a URL with a scheme and `://`, optional `user@`, a host name or `[IPv6]` host, an optional port \
                 (0 to 65535), then an optional path, query or fragment of visible ASCII characters"
            }
            Format::Ipv4 => "an IPv4 address: four decimal numbers from 0 to 255 without leading zeros",
            Format::Ipv6 => {
                "an IPv6 address as in RFC 4291: eight groups of 1 to 4 hex digits, `::` for one or more zero \
                 groups, an IPv4 address in place of the last two groups; no zone and no brackets"
            }
            Format::IsoTimestamp => {
                "an ISO 8601 timestamp: a valid calendar date, `T`, `t` or a space, `hh:mm`, optional `:ss` and \
                 `.fraction` (1 to 9 digits), optional `Z` or offset `±hh`, `±hhmm`, `±hh:mm`"
            }
            Format::IsoDate => "an ISO 8601 calendar date `YYYY-MM-DD` that exists (leap years included)",
            Format::IntegerText => "an integer: an optional sign and one or more digits",
            Format::DecimalText => {
                "a decimal number: an optional sign, digits with an optional fraction (`1`, `-1.5`, `1.`, `.5`); \
                 no exponent"
            }
            Format::Phone => {
                "phone-like: an optional leading `+`, then 7 to 15 digits separated by spaces, dashes, dots or \
                 parentheses, starting with a digit or `(` and ending with a digit or `)`"
            }
        }
    }

    /// An anchored regular expression matching exactly the values [`Format::matches`] accepts
    /// (Rust `regex` syntax; `[0-9]` rather than `\d`, which would match other scripts' digits).
    pub const fn regex(self) -> &'static str {
        match self {
            Format::Uuid => "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$",
            Format::Email => {
                concat!("^", email_atom!(), "(?:\\.", email_atom!(), ")*@(?:", host_label!(), "\\.)+[A-Za-z]{2,63}$")
            }
            Format::Url => concat!(
                "^[A-Za-z][A-Za-z0-9+.-]*://(?:[A-Za-z0-9._~%!$&'()*+,;=:-]*@)?(?:",
                host_label!(),
                "(?:\\.",
                host_label!(),
                ")*|\\[",
                ipv6!(),
                "\\])(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?",
                "(?:[/?#][!-~]*)?$"
            ),
            Format::Ipv4 => concat!("^", ipv4!(), "$"),
            Format::Ipv6 => concat!("^", ipv6!(), "$"),
            Format::IsoTimestamp => concat!(
                "^",
                iso_date!(),
                "[Tt ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,9})?)?",
                "(?:[Zz]|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)?$"
            ),
            Format::IsoDate => concat!("^", iso_date!(), "$"),
            Format::IntegerText => "^[+-]?[0-9]+$",
            Format::DecimalText => "^[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)$",
            Format::Phone => "^\\+?\\(?[0-9](?:[ .()-]*[0-9]){6,14}\\)?$",
        }
    }

    /// Whether the whole of `value` is in this format.
    #[inline]
    pub fn matches(self, value: &str) -> bool {
        let bytes = value.as_bytes();
        match self {
            Format::Uuid => is_uuid(bytes),
            Format::Email => is_email(bytes),
            Format::Url => is_url(bytes),
            Format::Ipv4 => is_ipv4(bytes),
            Format::Ipv6 => is_ipv6(bytes),
            Format::IsoTimestamp => is_iso_timestamp(bytes),
            Format::IsoDate => is_iso_date(bytes),
            Format::IntegerText => is_integer_text(bytes),
            Format::DecimalText => is_decimal_text(bytes),
            Format::Phone => is_phone(bytes),
        }
    }
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

fn all(bytes: &[u8], class: impl Fn(u8) -> bool) -> bool {
    bytes.iter().all(|&b| class(b))
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| if matches!(i, 8 | 13 | 18 | 23) { c == b'-' } else { is_hex(c) })
}

fn is_email_atom_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b)
}

fn is_email(b: &[u8]) -> bool {
    let Some(at) = b.iter().position(|&c| c == b'@') else { return false };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    if !local.split(|&c| c == b'.').all(|atom| !atom.is_empty() && all(atom, is_email_atom_byte)) {
        return false;
    }
    // At least two labels; the last is the top-level domain: letters only.
    let Some(dot) = domain.iter().rposition(|&c| c == b'.') else { return false };
    let tld = &domain[dot + 1..];
    (2..=63).contains(&tld.len()) && all(tld, |c| c.is_ascii_alphabetic()) && is_host_name(&domain[..dot])
}

/// Dot-separated host name labels (each 1 to 63 letters, digits or inner hyphens).
fn is_host_name(b: &[u8]) -> bool {
    b.split(|&c| c == b'.').all(|label| {
        (1..=63).contains(&label.len())
            && label[0] != b'-'
            && label[label.len() - 1] != b'-'
            && all(label, |c| c.is_ascii_alphanumeric() || c == b'-')
    })
}

fn is_url(b: &[u8]) -> bool {
    let Some(colon) = b.iter().position(|&c| c == b':') else { return false };
    let scheme = &b[..colon];
    let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && all(scheme, |c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-'));
    let Some(rest) = b[colon..].strip_prefix(b"://") else { return false };
    if !scheme_ok {
        return false;
    }
    let end = rest.iter().position(|c| matches!(c, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if !all(tail, |c| (b'!'..=b'~').contains(&c)) {
        return false;
    }
    let host_port = match authority.iter().position(|&c| c == b'@') {
        Some(at) => {
            let user_info = &authority[..at];
            if !all(user_info, |c| c.is_ascii_alphanumeric() || b"._~%!$&'()*+,;=:-".contains(&c)) {
                return false;
            }
            &authority[at + 1..]
        }
        None => authority,
    };
    let (host_ok, port) = match host_port.strip_prefix(b"[") {
        Some(bracketed) => match bracketed.iter().position(|&c| c == b']') {
            Some(close) => (is_ipv6(&bracketed[..close]), &bracketed[close + 1..]),
            None => return false,
        },
        None => {
            let split = host_port.iter().position(|&c| c == b':').unwrap_or(host_port.len());
            (is_host_name(&host_port[..split]), &host_port[split..])
        }
    };
    host_ok
        && match port.strip_prefix(b":") {
            None => port.is_empty(),
            Some(digits) => is_port(digits),
        }
}

/// 1 to 4 digits, or 5 digits from 10000 to 65535.
fn is_port(b: &[u8]) -> bool {
    all(b, |c| c.is_ascii_digit())
        && match b.len() {
            1..=4 => true,
            5 => b[0] != b'0' && b <= b"65535".as_slice(),
            _ => false,
        }
}

fn is_ipv4(b: &[u8]) -> bool {
    let mut parts = 0;
    for part in b.split(|&c| c == b'.') {
        parts += 1;
        let valid = match part {
            [d] => d.is_ascii_digit(),
            [b'1'..=b'9', d] => d.is_ascii_digit(),
            [b'1', d, e] => d.is_ascii_digit() && e.is_ascii_digit(),
            [b'2', b'0'..=b'4', d] => d.is_ascii_digit(),
            [b'2', b'5', b'0'..=b'5'] => true,
            _ => false,
        };
        if !valid || parts > 4 {
            return false;
        }
    }
    parts == 4
}

/// Counts the 16-bit groups of a `:`-separated list (an IPv4 address counts as two when allowed
/// last); `None` when a group is malformed. An empty list has no groups.
fn ipv6_groups(b: &[u8], ipv4_last: bool) -> Option<usize> {
    if b.is_empty() {
        return Some(0);
    }
    let mut count = 0;
    let mut parts = b.split(|&c| c == b':').peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        if (1..=4).contains(&part.len()) && all(part, is_hex) {
            count += 1;
        } else if last && ipv4_last && is_ipv4(part) {
            count += 2;
        } else {
            return None;
        }
    }
    Some(count)
}

fn is_ipv6(b: &[u8]) -> bool {
    match b.windows(2).position(|w| w == b"::") {
        Some(gap) => {
            let (head, tail) = (&b[..gap], &b[gap + 2..]);
            if tail.windows(2).any(|w| w == b"::") {
                return false;
            }
            // `::` stands for at least one group of zeros.
            matches!((ipv6_groups(head, false), ipv6_groups(tail, true)), (Some(h), Some(t)) if h + t <= 7)
        }
        None => ipv6_groups(b, true) == Some(8),
    }
}

fn two_digits(b: &[u8]) -> Option<u32> {
    match b {
        [x @ b'0'..=b'9', y @ b'0'..=b'9'] => Some(u32::from(x - b'0') * 10 + u32::from(y - b'0')),
        _ => None,
    }
}

fn is_iso_date(b: &[u8]) -> bool {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !all(&b[..4], |c| c.is_ascii_digit()) {
        return false;
    }
    let year = b[..4].iter().fold(0i64, |y, &c| y * 10 + i64::from(c - b'0'));
    match (two_digits(&b[5..7]), two_digits(&b[8..10])) {
        (Some(month @ 1..=12), Some(day)) => day >= 1 && day <= days_in_month(year, month),
        _ => false,
    }
}

/// `hh:mm` with hours 00-23 and minutes 00-59.
fn is_clock(b: &[u8]) -> bool {
    b.len() == 5 && b[2] == b':' && two_digits(&b[..2]).is_some_and(|h| h < 24) && is_minutes(&b[3..])
}

fn is_minutes(b: &[u8]) -> bool {
    two_digits(b).is_some_and(|m| m < 60)
}

fn is_iso_timestamp(b: &[u8]) -> bool {
    if b.len() < 16 || !is_iso_date(&b[..10]) || !matches!(b[10], b'T' | b't' | b' ') || !is_clock(&b[11..16]) {
        return false;
    }
    let mut rest = &b[16..];
    if let [b':', s0, s1, tail @ ..] = rest {
        if !is_minutes(&[*s0, *s1]) {
            return false;
        }
        rest = tail;
        if let [b'.', tail @ ..] = rest {
            let digits = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if !(1..=9).contains(&digits) {
                return false;
            }
            rest = &tail[digits..];
        }
    }
    match rest {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', offset @ ..] => match offset {
            [h0, h1] => two_digits(&[*h0, *h1]).is_some_and(|h| h < 24),
            [h0, h1, b':', m0, m1] | [h0, h1, m0, m1] => {
                two_digits(&[*h0, *h1]).is_some_and(|h| h < 24) && is_minutes(&[*m0, *m1])
            }
            _ => false,
        },
        _ => false,
    }
}

fn is_integer_text(b: &[u8]) -> bool {
    let digits = b.strip_prefix(b"+").or_else(|| b.strip_prefix(b"-")).unwrap_or(b);
    !digits.is_empty() && all(digits, |c| c.is_ascii_digit())
}

fn is_decimal_text(b: &[u8]) -> bool {
    let number = b.strip_prefix(b"+").or_else(|| b.strip_prefix(b"-")).unwrap_or(b);
    let (whole, fraction) = match number.iter().position(|&c| c == b'.') {
        Some(dot) => (&number[..dot], &number[dot + 1..]),
        None => (number, &[][..]),
    };
    (!whole.is_empty() || !fraction.is_empty())
        && all(whole, |c| c.is_ascii_digit())
        && all(fraction, |c| c.is_ascii_digit())
}

fn is_phone(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"+").unwrap_or(b);
    let b = b.strip_prefix(b"(").unwrap_or(b);
    let core = b.strip_suffix(b")").unwrap_or(b);
    let digits = core.iter().filter(|c| c.is_ascii_digit()).count();
    (7..=15).contains(&digits)
        && core.first().is_some_and(u8::is_ascii_digit)
        && core.last().is_some_and(u8::is_ascii_digit)
        && all(core, |c| c.is_ascii_digit() || matches!(c, b' ' | b'.' | b'(' | b')' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    /// Values that must match, and values that must not, per format.
    fn cases(format: Format) -> (&'static [&'static str], &'static [&'static str]) {
        match format {
            Format::Uuid => (
                &[
                    "123e4567-e89b-12d3-a456-426614174000",
                    "00000000-0000-0000-0000-000000000000",
                    "ABCDEFAB-cdef-0123-4567-89abcdefABCD",
                    "ffffffff-ffff-ffff-ffff-ffffffffffff",
                    "550E8400-E29B-41D4-A716-446655440000",
                ],
                &[
                    "123e4567e89b12d3a456426614174000",
                    "{123e4567-e89b-12d3-a456-426614174000}",
                    "123e4567-e89b-12d3-a456-42661417400",
                    "123e4567-e89b-12d3-a456-4266141740000",
                    "g23e4567-e89b-12d3-a456-426614174000",
                    " 123e4567-e89b-12d3-a456-426614174000",
                    "123e4567-e89b-12d3-a456_426614174000",
                    "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
                    "",
                    "123e4567-e89b-12d3-a456-42661417400g",
                    "123e4567-e89b-12d3-a4566-42661417400",
                ],
            ),
            Format::Email => (
                &[
                    "a@b.co",
                    "first.last@example.com",
                    "x+tag@sub.example.org",
                    "o'brien@example.ie",
                    "a!#$%&'*+/=?^_`{|}~-z@x-y.example.museum",
                    "1@2.io",
                    "user@xn--bcher-kva.example",
                ],
                &[
                    "",
                    "plain",
                    "@example.com",
                    "a@",
                    "a@b",
                    "a@b.c",
                    "a@.com",
                    "a@b..com",
                    ".a@b.com",
                    "a.@b.com",
                    "a..b@c.com",
                    "a@-b.com",
                    "a@b-.com",
                    "a@b.c0m",
                    "a b@c.com",
                    "a@b@c.com",
                    "a@b.com ",
                    "ü@exämple.com",
                    "\"quoted\"@example.com",
                    "a@[1.2.3.4]",
                    "a@b_c.com",
                    "a@b.com.",
                    "a@1.23",
                ],
            ),
            Format::Url => (
                &[
                    "http://example.com",
                    "https://example.com/path?q=1&r=2#frag",
                    "ftp://user:pw@files.example.org:21/pub",
                    "s3://bucket/key/with/slashes.csv",
                    "http://localhost:8080",
                    "http://127.0.0.1/",
                    "http://[::1]:65535/x",
                    "HTTPS://EXAMPLE.COM",
                    "git+ssh://host",
                    "http://a.b?",
                    "http://h:0",
                ],
                &[
                    "",
                    "example.com",
                    "http//example.com",
                    "http:/example.com",
                    "://example.com",
                    "1http://example.com",
                    "http://",
                    "http://-bad.com",
                    "http://exa mple.com",
                    "http://example.com/a b",
                    "http://example.com:65536",
                    "http://example.com:",
                    "http://example.com:00080",
                    "http://a@b@c",
                    "http://[::1",
                    "http://[1.2.3.4]",
                    "http://example.com/ü",
                    "http://exa_mple.com",
                    "mailto:a@b.com",
                    "http://example.com.",
                    "http://h:1:2",
                ],
            ),
            Format::Ipv4 => (
                &["0.0.0.0", "255.255.255.255", "192.168.1.1", "10.0.0.254", "1.2.3.4"],
                &[
                    "",
                    "256.1.1.1",
                    "1.2.3",
                    "1.2.3.4.5",
                    "01.2.3.4",
                    "1.2.3.04",
                    "1.2.3.-4",
                    "1..3.4",
                    "1.2.3.4.",
                    " 1.2.3.4",
                    "a.b.c.d",
                    "300.300.300.300",
                    "1.2.3.1000",
                ],
            ),
            Format::Ipv6 => (
                &[
                    "::",
                    "::1",
                    "1::",
                    "2001:db8::1",
                    "2001:0db8:0000:0000:0000:ff00:0042:8329",
                    "fe80::1:2:3:4",
                    "1:2:3:4:5:6:7::",
                    "::2:3:4:5:6:7:8",
                    "::ffff:192.0.2.128",
                    "1:2:3:4:5:6:1.2.3.4",
                    "1::1.2.3.4",
                    "ABCD:ef01::",
                    "1:2:3:4:5::8",
                ],
                &[
                    "",
                    ":",
                    ":::",
                    "1:2:3:4:5:6:7:8:9",
                    "1:2:3:4:5:6:7",
                    "1::2::3",
                    "12345::",
                    "g::1",
                    "1:2:3:4:5:6:7:8::",
                    "::1:2:3:4:5:6:7:8",
                    ":1::",
                    "1::1.2.3",
                    "1.2.3.4::",
                    "1:2:3:4:5:6:7:1.2.3.4",
                    "[::1]",
                    "fe80::1%eth0",
                    "1:2:3:4:5:6::1.2.3.4",
                    "::256.1.1.1",
                    "1:",
                ],
            ),
            Format::IsoTimestamp => (
                &[
                    "2024-01-31T12:30",
                    "2024-01-31T12:30:15",
                    "2024-01-31 12:30:15.123456789",
                    "2024-02-29T00:00:00Z",
                    "2024-01-31t23:59:59z",
                    "2024-01-31T12:30:15+02:00",
                    "2024-01-31T12:30:15-0530",
                    "2024-01-31T12:30+05",
                    "0000-02-29T00:00",
                ],
                &[
                    "",
                    "2024-01-31",
                    "2024-01-31T",
                    "2024-01-31T24:00",
                    "2024-01-31T12:60",
                    "2024-01-31T12:30:60",
                    "2023-02-29T00:00",
                    "2024-01-31T12:30:15.",
                    "2024-01-31T12:30:15.1234567890",
                    "2024-01-31T12:30.5",
                    "2024-01-31T12:30:15+2:00",
                    "2024-01-31T12:30:15+24:00",
                    "2024-01-31T12:30:15+02:60",
                    "2024-01-31T12:30:15+02:0",
                    "2024-01-31T12:30:15 Z",
                    "2024-01-31_12:30",
                    "2024-01-31T1:30",
                    "2024-01-31T12:30:15+0200Z",
                ],
            ),
            Format::IsoDate => (
                &[
                    "2024-01-31",
                    "2024-02-29",
                    "2000-02-29",
                    "1600-02-29",
                    "0000-02-29",
                    "2023-12-31",
                    "0001-01-01",
                    "9999-12-31",
                    "2023-04-30",
                ],
                &[
                    "",
                    "2023-02-29",
                    "1900-02-29",
                    "2100-02-29",
                    "2024-02-30",
                    "2024-04-31",
                    "2024-13-01",
                    "2024-00-10",
                    "2024-01-00",
                    "2024-1-5",
                    "24-01-31",
                    "20240-01-31",
                    "2024/01/31",
                    "2024-01-31T00:00",
                    " 2024-01-31",
                    "+2024-01-01",
                ],
            ),
            Format::IntegerText => (
                &["0", "42", "-17", "+5", "007", "123456789012345678901234567890"],
                &["", "+", "-", "1.0", "1e5", " 1", "1 ", "1_000", "1,000", "--1", "０"],
            ),
            Format::DecimalText => (
                &["0", "-17", "3.14", "-0.5", "+.5", "1.", "00.10", ".0"],
                &["", ".", "-.", "+", "1.2.3", "1e5", "1,5", " 1.5", "1.5 ", "NaN", "inf", "0x10"],
            ),
            Format::Phone => (
                &[
                    "+1 (555) 123-4567",
                    "(555) 123-4567",
                    "555.123.4567",
                    "5551234567",
                    "+44 20 7946 0958",
                    "1234567",
                    "123456789012345",
                    "+49-(0)30-1234567",
                    "(0)1234567)",
                ],
                &[
                    "",
                    "123456",
                    "1234567890123456",
                    "+ 1 555 1234567",
                    "555-123-4567 ext 8",
                    "555-CALL-NOW",
                    "-5551234567",
                    "5551234567-",
                    "((555)1234567",
                    "++15551234567",
                    "1234567+",
                    "(+1)5551234567",
                    "555 123 4567 ",
                ],
            ),
        }
    }

    #[test]
    fn names_round_trip_and_every_format_has_cases() {
        for format in Format::ALL {
            assert_eq!(Format::from_name(format.name()), Some(format));
            let (good, bad) = cases(format);
            assert!(good.len() >= 5 && bad.len() >= 10, "{format:?} needs more cases");
        }
        assert_eq!(Format::from_name("Email"), None, "names are lowercase");
        assert_eq!(Format::from_name("regex"), None);
    }

    #[test]
    fn validators_accept_the_positives_and_refuse_the_negatives() {
        for format in Format::ALL {
            let (good, bad) = cases(format);
            for value in good {
                assert!(format.matches(value), "{} should match {value:?}", format.name());
            }
            for value in bad {
                assert!(!format.matches(value), "{} should not match {value:?}", format.name());
            }
        }
    }

    /// Every case, plus variants with one character deleted, doubled or replaced by a character
    /// that often matters: the regex and the validator must agree on all of them.
    fn variants() -> Vec<String> {
        let mut values: Vec<String> = Vec::new();
        for format in Format::ALL {
            let (good, bad) = cases(format);
            for value in good.iter().chain(bad) {
                values.push(value.to_string());
                let chars: Vec<char> = value.chars().collect();
                for i in 0..chars.len() {
                    let mut deleted = chars.clone();
                    deleted.remove(i);
                    values.push(deleted.iter().collect());
                    let mut doubled = chars.clone();
                    doubled.insert(i, chars[i]);
                    values.push(doubled.iter().collect());
                    for replacement in ['0', '9', 'a', 'Z', '.', ':', '-', '@', '/', ' ', '+', '(', ']', 'é'] {
                        let mut replaced = chars.clone();
                        replaced[i] = replacement;
                        values.push(replaced.iter().collect());
                    }
                }
            }
        }
        values
    }

    #[test]
    fn each_regex_accepts_exactly_what_its_validator_accepts() {
        let values = variants();
        for format in Format::ALL {
            let regex = Regex::new(format.regex()).unwrap_or_else(|e| panic!("{}: {e}", format.name()));
            let mut disagreements = Vec::new();
            for value in &values {
                if regex.is_match(value) != format.matches(value) {
                    disagreements.push(value.clone());
                }
            }
            assert!(disagreements.is_empty(), "{}: regex and validator disagree on {disagreements:?}", format.name());
        }
    }

    #[test]
    fn ip_addresses_agree_with_the_standard_library() {
        for value in variants() {
            assert_eq!(Format::Ipv4.matches(&value), value.parse::<std::net::Ipv4Addr>().is_ok(), "{value:?}");
            assert_eq!(Format::Ipv6.matches(&value), value.parse::<std::net::Ipv6Addr>().is_ok(), "{value:?}");
        }
    }

    #[test]
    fn iso_dates_agree_with_the_calendar_on_every_day_of_tricky_years() {
        let regex = Regex::new(Format::IsoDate.regex()).unwrap();
        for year in [0, 4, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 2400, 9999] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let text = format!("{year:04}-{month:02}-{day:02}");
                    let exists = crate::temporal::parse_date(&text).is_some();
                    assert_eq!(Format::IsoDate.matches(&text), exists, "{text}");
                    assert_eq!(regex.is_match(&text), exists, "{text}");
                }
            }
        }
    }
}

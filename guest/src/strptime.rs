//! Python's `datetime.strptime` as a yes/no test, the semantics of Great Expectations'
//! `expect_column_values_to_match_strftime_format`.
//!
//! CPython turns a format into a regular expression (each directive a fixed list of
//! alternatives, whitespace `\s+`, case ignored), takes the first match from the start of the
//! value, requires it to end at the value's end, then builds a `datetime`, which refuses days
//! that do not exist, seconds 60 and 61, years outside 1..9999 and offsets of 24 hours or
//! more. This module does the same with a small backtracking matcher (no regex engine, no
//! allocation per value) and chrono's calendar. chrono's own strftime parser is not used: it is
//! greedy without backtracking and more lenient (any number of year digits, optional
//! whitespace, nine fraction digits), so it disagrees with Python on common formats.
//!
//! Differences from CPython, all on exotic input: digits are ASCII only (Python also accepts
//! other scripts' decimal digits), `%Z` accepts `UTC` and `GMT` (Python also accepts the
//! machine's local zone names), names are English (the C locale), and `%c`, `%x`, `%X` are the
//! C locale's `%a %b %d %H:%M:%S %Y`, `%m/%d/%y`, `%H:%M:%S`.

use chrono::{Datelike, NaiveDate};

/// A compiled strptime format.
#[derive(Debug, Clone)]
pub struct DateFormat {
    text: String,
    pieces: Vec<Piece>,
    /// The directives in the order they appear (the order CPython reads their values in).
    fields: Vec<Directive>,
}

#[derive(Debug, Clone)]
enum Piece {
    /// A character of the format, matched ignoring case.
    Literal(char),
    /// A run of whitespace in the format: one or more whitespace characters.
    Space,
    /// The directive numbered `slot` (its position in `fields`).
    Field { slot: usize, pattern: Pattern },
}

/// What a directive matches.
#[derive(Debug, Clone)]
enum Pattern {
    /// Alternatives of fixed-width character classes, tried in order.
    Alternatives(Vec<Vec<Class>>),
    /// Names, longest first, ignoring ASCII case.
    Names(&'static [&'static str]),
    /// `[0-9]{1,6}`, longest first.
    Fraction,
    /// `[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|Z`, in the order a backtracking engine tries it.
    Offset,
}

#[derive(Debug, Clone, Copy)]
enum Class {
    Digit,
    Range(u8, u8),
    Byte(u8),
}

/// The directives strptime understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Directive {
    Day,
    Fraction,
    Hour24,
    Hour12,
    IsoYear,
    DayOfYear,
    Month,
    Minute,
    Second,
    WeekOfYearSunday,
    WeekOfYearMonday,
    WeekdaySunday0,
    WeekdayMonday1,
    IsoWeek,
    Year2,
    Year4,
    Offset,
    WeekdayName,
    WeekdayAbbreviation,
    MonthName,
    MonthAbbreviation,
    AmPm,
    ZoneName,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
/// Names sorted longest first, as CPython sorts them (stable, so ties keep calendar order).
const MONTH_NAMES: &[&str] = &[
    "september",
    "february",
    "november",
    "december",
    "january",
    "october",
    "august",
    "march",
    "april",
    "june",
    "july",
    "may",
];
const MONTH_ABBREVIATIONS: &[&str] =
    &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAY_NAMES: &[&str] = &["wednesday", "thursday", "saturday", "tuesday", "monday", "friday", "sunday"];
const WEEKDAY_ABBREVIATIONS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const AM_PM: &[&str] = &["am", "pm"];
const ZONE_NAMES: &[&str] = &["utc", "gmt"];

impl Directive {
    /// The directive of a format letter, or its expansion for `%c`, `%x`, `%X`.
    fn of(letter: char) -> Result<Directive, Option<&'static str>> {
        Ok(match letter {
            'd' => Directive::Day,
            'f' => Directive::Fraction,
            'H' => Directive::Hour24,
            'I' => Directive::Hour12,
            'G' => Directive::IsoYear,
            'j' => Directive::DayOfYear,
            'm' => Directive::Month,
            'M' => Directive::Minute,
            'S' => Directive::Second,
            'U' => Directive::WeekOfYearSunday,
            'W' => Directive::WeekOfYearMonday,
            'w' => Directive::WeekdaySunday0,
            'u' => Directive::WeekdayMonday1,
            'V' => Directive::IsoWeek,
            'y' => Directive::Year2,
            'Y' => Directive::Year4,
            'z' => Directive::Offset,
            'A' => Directive::WeekdayName,
            'a' => Directive::WeekdayAbbreviation,
            'B' => Directive::MonthName,
            'b' => Directive::MonthAbbreviation,
            'p' => Directive::AmPm,
            'Z' => Directive::ZoneName,
            'c' => return Err(Some("%a %b %d %H:%M:%S %Y")),
            'x' => return Err(Some("%m/%d/%y")),
            'X' => return Err(Some("%H:%M:%S")),
            _ => return Err(None),
        })
    }

    /// CPython's pattern for the directive (`\d` is an ASCII digit here).
    fn pattern(self) -> Pattern {
        let alternatives = match self {
            Directive::Day => r"3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9]",
            Directive::Hour24 => r"2[0-3]|[0-1]\d|\d",
            Directive::Hour12 => r"1[0-2]|0[1-9]|[1-9]",
            Directive::IsoYear | Directive::Year4 => r"\d\d\d\d",
            Directive::DayOfYear => r"36[0-6]|3[0-5]\d|[1-2]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9]",
            Directive::Month => r"1[0-2]|0[1-9]|[1-9]",
            Directive::Minute => r"[0-5]\d|\d",
            Directive::Second => r"6[0-1]|[0-5]\d|\d",
            Directive::WeekOfYearSunday | Directive::WeekOfYearMonday => r"5[0-3]|[0-4]\d|\d",
            Directive::WeekdaySunday0 => "[0-6]",
            Directive::WeekdayMonday1 => "[1-7]",
            Directive::IsoWeek => r"5[0-3]|0[1-9]|[1-4]\d|\d",
            Directive::Year2 => r"\d\d",
            Directive::Fraction => return Pattern::Fraction,
            Directive::Offset => return Pattern::Offset,
            Directive::WeekdayName => return Pattern::Names(WEEKDAY_NAMES),
            Directive::WeekdayAbbreviation => return Pattern::Names(WEEKDAY_ABBREVIATIONS),
            Directive::MonthName => return Pattern::Names(MONTH_NAMES),
            Directive::MonthAbbreviation => return Pattern::Names(MONTH_ABBREVIATIONS),
            Directive::AmPm => return Pattern::Names(AM_PM),
            Directive::ZoneName => return Pattern::Names(ZONE_NAMES),
        };
        Pattern::Alternatives(alternatives.split('|').map(parse_classes).collect())
    }
}

/// `3[0-1]`, `\d\d`, ` [1-9]`: digits, ranges and literal bytes.
fn parse_classes(alternative: &str) -> Vec<Class> {
    let b = alternative.as_bytes();
    let mut classes = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let (class, width) = match b[i] {
            b'\\' => (Class::Digit, 2),
            b'[' => (Class::Range(b[i + 1], b[i + 3]), 5),
            other => (Class::Byte(other), 1),
        };
        classes.push(class);
        i += width;
    }
    classes
}

impl DateFormat {
    /// Compiles a format; the error says what is wrong with it (as Python would refuse it).
    pub fn new(text: &str) -> Result<DateFormat, String> {
        let mut format = DateFormat { text: text.to_string(), pieces: Vec::new(), fields: Vec::new() };
        format.compile(text)?;
        format.check_combinations()?;
        Ok(format)
    }

    /// The format as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    fn compile(&mut self, text: &str) -> Result<(), String> {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if is_space(c) {
                while chars.next_if(|&c| is_space(c)).is_some() {}
                self.pieces.push(Piece::Space);
                continue;
            }
            if c != '%' {
                self.pieces.push(Piece::Literal(c));
                continue;
            }
            let letter = match chars.next() {
                None => return Err(format!("stray % at the end of the format '{text}'")),
                Some('%') => {
                    self.pieces.push(Piece::Literal('%'));
                    continue;
                }
                Some(letter) => letter,
            };
            let directive = match Directive::of(letter) {
                Ok(directive) => directive,
                Err(Some(expansion)) => {
                    self.compile(expansion)?;
                    continue;
                }
                Err(None) if is_space(letter) => return Err(format!("stray % before a space in the format '{text}'")),
                Err(None) => return Err(format!("'%{letter}' is not a strptime directive (in the format '{text}')")),
            };
            if self.fields.contains(&directive) {
                return Err(format!("'%{letter}' appears twice in the format '{text}'"));
            }
            self.pieces.push(Piece::Field { slot: self.fields.len(), pattern: directive.pattern() });
            self.fields.push(directive);
        }
        Ok(())
    }

    /// Combinations CPython refuses whatever the value (Great Expectations refuses such formats
    /// when the expectation is made).
    fn check_combinations(&self) -> Result<(), String> {
        let has = |d: Directive| self.fields.contains(&d);
        let year = has(Directive::Year4) || has(Directive::Year2);
        let weekday = [
            Directive::WeekdayName,
            Directive::WeekdayAbbreviation,
            Directive::WeekdaySunday0,
            Directive::WeekdayMonday1,
        ]
        .into_iter()
        .any(has);
        if !year && has(Directive::IsoYear) {
            if !has(Directive::IsoWeek) || !weekday {
                return Err("the ISO year '%G' needs the ISO week '%V' and a weekday ('%A', '%a', '%w' or '%u')".into());
            }
            if has(Directive::DayOfYear) {
                return Err("the day of the year '%j' cannot be combined with the ISO year '%G'; use '%Y'".into());
            }
        } else if has(Directive::IsoWeek) && !has(Directive::WeekOfYearSunday) && !has(Directive::WeekOfYearMonday) {
            return Err("the ISO week '%V' needs the ISO year '%G' (not '%Y') and a weekday".into());
        }
        Ok(())
    }

    /// Whether the whole of `value` parses with this format into a valid date and time.
    pub fn matches(&self, value: &str) -> bool {
        let mut captures = [(0usize, 0usize); MAX_FIELDS];
        // Like Python's `re.match`: the first match in priority order must reach the end.
        self.match_from(0, value, 0, &mut captures) == Some(value.len()) && self.is_valid(value, &captures)
    }

    /// The end of the first match of `pieces[index..]` at `pos`, in backtracking order.
    fn match_from(&self, index: usize, text: &str, pos: usize, captures: &mut Captures) -> Option<usize> {
        let Some(piece) = self.pieces.get(index) else { return Some(pos) };
        let rest = &text[pos..];
        match piece {
            Piece::Literal(expected) => {
                let c = rest.chars().next()?;
                let same = c == *expected || c.to_lowercase().eq(expected.to_lowercase());
                if same { self.match_from(index + 1, text, pos + c.len_utf8(), captures) } else { None }
            }
            Piece::Space => {
                let mut end = pos;
                for c in rest.chars().take_while(|&c| is_space(c)) {
                    end += c.len_utf8();
                }
                // Greedy: the longest run first, then shorter ones.
                let mut candidate = end;
                while candidate > pos {
                    if let Some(found) = self.match_from(index + 1, text, candidate, captures) {
                        return Some(found);
                    }
                    candidate -= text[..candidate].chars().next_back().map_or(1, char::len_utf8);
                }
                None
            }
            Piece::Field { slot, pattern } => {
                let b = rest.as_bytes();
                let mut attempt = |len: usize| {
                    captures[*slot] = (pos, pos + len);
                    self.match_from(index + 1, text, pos + len, captures)
                };
                match pattern {
                    Pattern::Alternatives(alternatives) => alternatives
                        .iter()
                        .filter(|classes| classes_match(classes, b))
                        .find_map(|classes| attempt(classes.len())),
                    Pattern::Names(names) => names
                        .iter()
                        .filter(|name| b.len() >= name.len() && b[..name.len()].eq_ignore_ascii_case(name.as_bytes()))
                        .find_map(|name| attempt(name.len())),
                    Pattern::Fraction => (1..=digit_run(b, 0).min(6)).rev().find_map(attempt),
                    Pattern::Offset => offset_lengths(b).find_map(attempt),
                }
            }
        }
    }

    /// CPython's computation of the date from the matched fields, and `datetime`'s checks.
    fn is_valid(&self, text: &str, captures: &Captures) -> bool {
        let mut fields = Fields::default();
        for (slot, directive) in self.fields.iter().enumerate() {
            let (start, end) = captures[slot];
            fields.read(*directive, &text[start..end]);
        }
        fields.is_valid()
    }
}

/// The directives a format may use, each at most once.
const MAX_FIELDS: usize = 23;
type Captures = [(usize, usize); MAX_FIELDS];

/// Python's `str.isspace`, which `\s` follows in `str` patterns.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn classes_match(classes: &[Class], b: &[u8]) -> bool {
    classes.len() <= b.len()
        && classes.iter().zip(b).all(|(class, &byte)| match *class {
            Class::Digit => byte.is_ascii_digit(),
            Class::Range(low, high) => (low..=high).contains(&byte),
            Class::Byte(expected) => byte == expected,
        })
}

/// ASCII digits at `b[from..]`.
fn digit_run(b: &[u8], from: usize) -> usize {
    b.get(from..).map_or(0, |rest| rest.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// Lengths an offset can match at the start of `b`, in the order a backtracking engine tries
/// them: `±hh[:]mm`, then greedily `[:]ss` and `.ffffff` (longest fraction first).
fn offset_lengths(b: &[u8]) -> impl Iterator<Item = usize> {
    let mut lengths = Lengths::default();
    let two = |at: usize, first: std::ops::RangeInclusive<u8>| {
        b.get(at).is_some_and(|c| first.contains(c)) && b.get(at + 1).is_some_and(u8::is_ascii_digit)
    };
    if matches!(b.first(), Some(b'+' | b'-')) && two(1, b'0'..=b'9') {
        let minutes = 3 + usize::from(b.get(3) == Some(&b':'));
        if two(minutes, b'0'..=b'5') {
            let hhmm = minutes + 2;
            let seconds = hhmm + usize::from(b.get(hhmm) == Some(&b':'));
            if two(seconds, b'0'..=b'5') {
                let hhmmss = seconds + 2;
                if b.get(hhmmss) == Some(&b'.') {
                    let digits = digit_run(b, hhmmss + 1).min(6);
                    lengths.extend((1..=digits).rev().map(|d| hhmmss + 1 + d));
                }
                lengths.push(hhmmss);
            }
            lengths.push(hhmm);
        }
    } else if b.first() == Some(&b'Z') {
        lengths.push(1);
    }
    lengths.items.into_iter().take(lengths.len)
}

/// At most 8 candidate lengths (six fraction lengths, with seconds, without), without allocating.
#[derive(Default)]
struct Lengths {
    items: [usize; 8],
    len: usize,
}

impl Lengths {
    fn push(&mut self, length: usize) {
        self.items[self.len] = length;
        self.len += 1;
    }

    fn extend(&mut self, lengths: impl Iterator<Item = usize>) {
        lengths.for_each(|length| self.push(length));
    }
}

/// The values CPython's `_strptime` reads from the matched text.
#[derive(Debug, Default)]
struct Fields {
    year: Option<i32>,
    iso_year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    second: u32,
    /// Monday = 0.
    weekday: Option<u32>,
    day_of_year: Option<i64>,
    /// Week number and whether weeks start on Monday (`%W`) rather than Sunday (`%U`).
    week_of_year: Option<(i64, bool)>,
    iso_week: Option<i64>,
    /// The offset in microseconds, when `%z` matched.
    offset_micros: Option<i64>,
    /// An offset with a colon in one place but not the other.
    inconsistent_offset: bool,
}

fn number(text: &str) -> i64 {
    text.bytes().filter(u8::is_ascii_digit).fold(0, |n, d| n * 10 + i64::from(d - b'0'))
}

fn position(names: &[&str], text: &str) -> Option<u32> {
    names.iter().position(|name| name.eq_ignore_ascii_case(text)).map(|i| i as u32)
}

impl Fields {
    fn read(&mut self, directive: Directive, text: &str) {
        let n = number(text);
        match directive {
            Directive::Year2 => self.year = Some(if n <= 68 { 2000 + n } else { 1900 + n } as i32),
            Directive::Year4 => self.year = Some(n as i32),
            Directive::IsoYear => self.iso_year = Some(n as i32),
            Directive::Month => self.month = Some(n as u32),
            Directive::MonthName => self.month = position(&MONTHS, text).map(|m| m + 1),
            Directive::MonthAbbreviation => {
                self.month = MONTHS.iter().position(|m| m[..3].eq_ignore_ascii_case(text)).map(|m| m as u32 + 1)
            }
            Directive::Day => self.day = Some(n as u32),
            // Their patterns only match valid hours, minutes, fractions and zone names.
            Directive::Hour24
            | Directive::Hour12
            | Directive::AmPm
            | Directive::Minute
            | Directive::Fraction
            | Directive::ZoneName => {}
            Directive::Second => self.second = n as u32,
            Directive::WeekdayName => self.weekday = position(&WEEKDAYS, text),
            Directive::WeekdayAbbreviation => {
                self.weekday = WEEKDAYS.iter().position(|d| d[..3].eq_ignore_ascii_case(text)).map(|d| d as u32)
            }
            Directive::WeekdaySunday0 => self.weekday = Some((n as u32 + 6) % 7),
            Directive::WeekdayMonday1 => self.weekday = Some(n as u32 - 1),
            Directive::DayOfYear => self.day_of_year = Some(n),
            Directive::WeekOfYearSunday => self.week_of_year = Some((n, false)),
            Directive::WeekOfYearMonday => self.week_of_year = Some((n, true)),
            Directive::IsoWeek => self.iso_week = Some(n),
            Directive::Offset => self.read_offset(text),
        }
    }

    /// `Z`, `±hhmm[ss[.ffffff]]` or `±hh:mm[:ss[.ffffff]]`.
    fn read_offset(&mut self, text: &str) {
        if text == "Z" {
            self.offset_micros = Some(0);
            return;
        }
        let (clock, fraction) = text.split_once('.').unwrap_or((text, ""));
        let colons = clock.bytes().filter(|&c| c == b':').count();
        let digits = clock.len() - 1 - colons;
        // CPython removes the colons in pairs: `+hh:mmss` and `+hhmm:ss` fail.
        self.inconsistent_offset = digits == 6 && colons == 1;
        let packed = number(&clock[1..]);
        let (h, m, s) = if digits == 6 {
            (packed / 10_000, packed / 100 % 100, packed % 100)
        } else {
            (packed / 100, packed % 100, 0)
        };
        let micros = number(fraction) * 10i64.pow(6 - fraction.len() as u32);
        let magnitude = (h * 3600 + m * 60 + s) * 1_000_000 + micros;
        self.offset_micros = Some(if text.starts_with('-') { -magnitude } else { magnitude });
    }

    /// Builds the date as `_strptime` does, then applies `datetime`'s range checks.
    fn is_valid(&self) -> bool {
        if self.inconsistent_offset || self.offset_micros.is_some_and(|o| o.abs() >= 86_400_000_000) || self.second > 59
        {
            return false;
        }
        let (mut month, mut day) = (self.month.unwrap_or(1), self.day.unwrap_or(1));
        // Without a year, February 29th is computed in a leap year and then refused in 1900.
        let leap_day_without_year = self.year.is_none() && month == 2 && day == 29;
        let mut year = self.year.unwrap_or(if leap_day_without_year { 1904 } else { 1900 });
        let mut day_of_year = self.day_of_year;
        if day_of_year.is_none()
            && let Some(weekday) = self.weekday
        {
            let computed = match (self.week_of_year, self.iso_year, self.iso_week) {
                (Some((week, monday_first)), _, _) => {
                    let Some(january_first) = date(year, 1, 1) else { return false };
                    Some(day_of_year_from_week(january_first, week, weekday, monday_first))
                }
                (None, Some(iso_year), Some(iso_week)) => {
                    let Some((y, ordinal)) = day_of_year_from_iso_week(iso_year, iso_week, weekday) else {
                        return false;
                    };
                    year = y;
                    Some(ordinal)
                }
                _ => None,
            };
            day_of_year = computed.map(|ordinal| {
                if ordinal > 0 {
                    return ordinal;
                }
                year -= 1;
                ordinal + if is_leap(year) { 366 } else { 365 }
            });
        }
        if let Some(ordinal) = day_of_year {
            let Some(january_first) = date(year, 1, 1) else { return false };
            let Some(found) = from_ordinal(i64::from(january_first.num_days_from_ce()) + ordinal - 1) else {
                return false;
            };
            (year, month, day) = (found.year(), found.month(), found.day());
        } else if date(year, month, day).is_none() {
            return false;
        }
        if leap_day_without_year {
            year = 1900;
        }
        date(year, month, day).is_some()
    }
}

/// A date in `datetime`'s range (years 1 to 9999).
fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !(1..=9999).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// `date.fromordinal`: day 1 is 0001-01-01.
fn from_ordinal(ordinal: i64) -> Option<NaiveDate> {
    let found = NaiveDate::from_num_days_from_ce_opt(i32::try_from(ordinal).ok()?)?;
    (1..=9999).contains(&found.year()).then_some(found)
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// CPython's `_calc_julian_from_U_or_W` (the result may be 0 or less: a day of last year).
fn day_of_year_from_week(january_first: NaiveDate, week: i64, weekday: u32, monday_first: bool) -> i64 {
    let mut first_weekday = i64::from(january_first.weekday().num_days_from_monday());
    let mut weekday = i64::from(weekday);
    if !monday_first {
        first_weekday = (first_weekday + 1) % 7;
        weekday = (weekday + 1) % 7;
    }
    let week_0_length = (7 - first_weekday) % 7;
    if week == 0 { 1 + weekday - first_weekday } else { 1 + week_0_length + 7 * (week - 1) + weekday }
}

/// CPython's `_calc_julian_from_V`: the year and day of year of an ISO week date.
fn day_of_year_from_iso_week(iso_year: i32, iso_week: i64, weekday: u32) -> Option<(i32, i64)> {
    let correction = i64::from(date(iso_year, 1, 4)?.weekday().number_from_monday()) + 3;
    let ordinal = iso_week * 7 + i64::from(weekday) + 1 - correction;
    if ordinal >= 1 {
        return Some((iso_year, ordinal));
    }
    let this_year = i64::from(date(iso_year, 1, 1)?.num_days_from_ce());
    let last_year = i64::from(date(iso_year - 1, 1, 1)?.num_days_from_ce());
    Some((iso_year - 1, ordinal + this_year - last_year))
}

#[cfg(test)]
mod tests {
    use super::DateFormat;

    /// (format, value, parses) confirmed with Great Expectations 1.24.1
    /// (`expect_column_values_to_match_strftime_format`, pandas, Python 3.11).
    const CONFIRMED: &[(&str, &str, bool)] = &[
        ("%Y-%m-%d", "2024-01-31", true),
        ("%Y-%m-%d", "2024-1-5", true),
        ("%Y-%m-%d", "2024-02-30", false),
        ("%Y-%m-%d", "2023-02-29", false),
        ("%Y-%m-%d", "2024-02-29", true),
        ("%Y-%m-%d", "2024-01-31 ", false),
        ("%Y-%m-%d", " 2024-01-31", false),
        ("%Y-%m-%d", "2024-01-31T00", false),
        ("%Y-%m-%d", "24-01-31", false),
        ("%Y-%m-%d", "20240-01-31", false),
        ("%Y-%m-%d", "2024-13-01", false),
        ("%Y-%m-%d", "2024-00-10", false),
        ("%Y-%m-%d", "+2024-01-01", false),
        ("%Y-%m-%d", "2024-01-001", false),
        ("%Y-%m-%d", "0001-01-01", true),
        ("%Y-%m-%d", "2024/01/31", false),
        ("%d/%m/%Y %H:%M", "31/01/2024 23:59", true),
        ("%d/%m/%Y %H:%M", "31/01/2024 24:00", false),
        ("%d/%m/%Y %H:%M", "1/1/2024 1:5", true),
        ("%d/%m/%Y %H:%M", "31/01/2024  23:59", true),
        ("%d/%m/%Y %H:%M", "31/01/2024 23:59:00", false),
        ("%d/%m/%Y %H:%M", "31/01/202423:59", false),
        ("%Y-%m-%dT%H:%M:%S.%f", "2024-01-31T12:00:00.123456", true),
        ("%Y-%m-%dT%H:%M:%S.%f", "2024-01-31T12:00:00.1", true),
        ("%Y-%m-%dT%H:%M:%S.%f", "2024-01-31T12:00:00.1234567", false),
        ("%Y-%m-%dT%H:%M:%S.%f", "2024-01-31T12:00:60.0", false),
        ("%Y-%m-%dT%H:%M:%S.%f", "2024-01-31T12:00:61.0", false),
        ("%b %d, %Y", "Jan 31, 2024", true),
        ("%b %d, %Y", "jan 31, 2024", true),
        ("%b %d, %Y", "JAN 31, 2024", true),
        ("%b %d, %Y", "January 31, 2024", false),
        ("%b %d, %Y", "Feb 30, 2024", false),
        ("%B %Y", "January 2024", true),
        ("%B %Y", "Janu 2024", false),
        ("%B %Y", "Jan 2024", false),
        ("%m-%d", "02-29", false),
        ("%m-%d", "02-28", true),
        ("%m-%d", "2-3", true),
        ("%I:%M %p", "12:30 PM", true),
        ("%I:%M %p", "1:05 am", true),
        ("%I:%M %p", "13:00 PM", false),
        ("%I:%M %p", "00:30 AM", false),
        ("%y%m%d", "240131", true),
        ("%y%m%d", "991231", true),
        ("%y%m%d", "2401311", false),
        ("%Y-%m-%d %z", "2024-01-31 +0100", true),
        ("%Y-%m-%d %z", "2024-01-31 +01:00", true),
        ("%Y-%m-%d %z", "2024-01-31 Z", true),
        ("%Y-%m-%d %z", "2024-01-31 +01", false),
        ("%Y-%m-%d %z", "2024-01-31 -0530", true),
        ("%Y-%m-%d %z", "2024-01-31 +2400", false),
        ("%j/%Y", "366/2024", true),
        ("%j/%Y", "366/2023", true),
        ("%j/%Y", "1/2024", true),
        ("%a %Y-%m-%d", "Mon 2024-01-31", true),
        ("%a %Y-%m-%d", "Wed 2024-01-31", true),
        ("%a %Y-%m-%d", "Monday 2024-01-31", false),
        ("%A", "Monday", true),
        ("%A", "monday", true),
        ("%A", "Mon", false),
        ("%Y", "2024", true),
        ("%Y", "99", false),
        ("%Y", "abcd", false),
        ("%H%M", "2359", true),
        ("%H%M", "959", true),
        ("%H%M", "123", true),
        ("%%%Y", "%2024", true),
        ("%Y-%m-%d %H:%M:%S %Z", "2024-01-31 10:00:00 UTC", true),
        ("%Y-%m-%d %H:%M:%S %Z", "2024-01-31 10:00:00 GMT", true),
        ("%Y-%m-%d %H:%M:%S %Z", "2024-01-31 10:00:00 CET", false),
        ("%G-W%V-%u", "2024-W05-3", true),
        ("%d.%m.%Y", "31.12.1999", true),
        ("%d.%m.%Y", "31.12.99", false),
        ("%H:%M:%S", "23:59:59", true),
        ("%H:%M:%S", "23:59", false),
        ("%H:%M:%S", "7:8:9", true),
        ("%Y %m %d", "2024 01 31", true),
        ("%Y %m %d", "2024  01   31", true),
        ("%Y %m %d", "2024 0131", false),
        ("%Y %m %d", "2024\t01\n31", true),
        ("%M", "5", true),
        ("%M", "05", true),
        ("%M", "60", false),
    ];

    #[test]
    fn values_parse_as_great_expectations_parses_them() {
        for (format, value, parses) in CONFIRMED {
            let compiled = DateFormat::new(format).unwrap();
            assert_eq!(compiled.matches(value), *parses, "{value:?} with {format:?}");
        }
    }

    #[test]
    fn formats_python_refuses_are_errors() {
        let cases = [
            ("%s", "'%s' is not a strptime directive"),
            ("%Y-%", "stray %"),
            ("% Y", "stray % before a space"),
            ("%Y %Y", "appears twice"),
            ("%G-%V", "needs the ISO week '%V' and a weekday"),
            ("%G-%j-%u-%V", "'%j' cannot be combined"),
            ("%Y-W%V-%u", "needs the ISO year '%G'"),
            ("%c %Y", "appears twice"),
        ];
        for (format, expected) in cases {
            let error = DateFormat::new(format).unwrap_err();
            assert!(error.contains(expected), "{format}: {error}");
        }
    }
}

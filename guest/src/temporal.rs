//! Calendar arithmetic for dates and timestamps (proleptic Gregorian, UTC), without a
//! date-time dependency: Arrow stores days or ticks since the Unix epoch.

use arrow_schema::TimeUnit;

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// `YYYY-MM-DD`.
pub fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn ticks_per_second(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]` of a timestamp in `unit` ticks since the epoch.
pub fn format_timestamp(value: i64, unit: TimeUnit) -> String {
    let per_second = ticks_per_second(unit);
    let seconds = value.div_euclid(per_second);
    let fraction = value.rem_euclid(per_second);
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (h, mi, s) = (second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
    let mut text = format!("{}T{h:02}:{mi:02}:{s:02}", format_date(days));
    if fraction != 0 {
        let digits = per_second.ilog10() as usize;
        text.push_str(&format!(".{fraction:0digits$}"));
    }
    text
}

/// Parses `YYYY-MM-DD` into days since the epoch.
pub fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i64 = text[0..4].parse().ok()?;
    let month: u32 = text[5..7].parse().ok()?;
    let day: u32 = text[8..10].parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Days in `month` (1-12) of `year` in the proleptic Gregorian calendar.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses an ISO 8601 date or date-time (`2024-01-31`, `2024-01-31T12:00:00.5Z`,
/// `2024-01-31 12:00:00+02:00`) into `unit` ticks since the epoch, in UTC.
pub fn parse_timestamp(text: &str, unit: TimeUnit) -> Option<i64> {
    let text = text.trim();
    let per_second = ticks_per_second(unit);
    if text.len() == 10 {
        return parse_date(text)?.checked_mul(86_400)?.checked_mul(per_second);
    }
    let days = parse_date(text.get(0..10)?)?;
    if !matches!(text.as_bytes().get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let rest = &text[11..];
    let (clock, offset_seconds) = split_offset(rest)?;
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, fraction)) => (hms, fraction),
        None => (clock, ""),
    };
    let mut parts = hms.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let mi: i64 = parts.next()?.parse().ok()?;
    let s: i64 = parts.next().unwrap_or("0").parse().ok()?;
    if parts.next().is_some() || h > 23 || mi > 59 || s > 60 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = per_second.ilog10() as usize;
    let mut sub = 0i64;
    for (i, b) in fraction.bytes().take(digits).enumerate() {
        sub += i64::from(b - b'0') * 10i64.pow((digits - 1 - i) as u32);
    }
    let seconds = days * 86_400 + h * 3600 + mi * 60 + s - offset_seconds;
    seconds.checked_mul(per_second)?.checked_add(sub)
}

/// Splits a trailing `Z` or `±HH:MM` offset from a clock time; returns the offset in seconds.
fn split_offset(clock: &str) -> Option<(&str, i64)> {
    if let Some(stripped) = clock.strip_suffix(['Z', 'z']) {
        return Some((stripped, 0));
    }
    if let Some(pos) = clock.rfind(['+', '-']) {
        let (time, offset) = clock.split_at(pos);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let digits = offset[1..].replace(':', "");
        if digits.len() != 4 {
            return None;
        }
        let hours: i64 = digits[0..2].parse().ok()?;
        let minutes: i64 = digits[2..4].parse().ok()?;
        return Some((time, sign * (hours * 3600 + minutes * 60)));
    }
    Some((clock, 0))
}

/// Seconds in a duration written as ISO 8601 (`PT24H`, `P1DT12H`, `P2W`, `PT0.5S`, as Kestra
/// writes them) or as number-unit pairs (`24h`, `1h30m`, `7d`, `90s`, `2w`).
pub fn parse_duration(text: &str) -> Option<f64> {
    let text = text.trim();
    let upper = text.to_ascii_uppercase();
    if let Some(iso) = upper.strip_prefix('P') {
        let (date_part, time_part) = iso.split_once('T').unwrap_or((iso, ""));
        let date = sum_units(date_part, &[('W', 604_800.0), ('D', 86_400.0)])?;
        let time = sum_units(time_part, &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)])?;
        return (!(date_part.is_empty() && time_part.is_empty())).then_some(date + time);
    }
    let units = [('W', 604_800.0), ('D', 86_400.0), ('H', 3_600.0), ('M', 60.0), ('S', 1.0)];
    (!upper.is_empty()).then_some(())?;
    sum_units(&upper, &units)
}

/// Sums `<number><unit>` pairs with units from `units` (each at most once, in order).
fn sum_units(text: &str, units: &[(char, f64)]) -> Option<f64> {
    let mut total = 0.0;
    let mut rest = text;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let number: f64 = rest[..end].parse().ok()?;
        let unit = rest[end..].chars().next()?;
        let offset = units[next_unit..].iter().position(|(u, _)| *u == unit)?;
        total += number * units[next_unit + offset].1;
        next_unit += offset + 1;
        rest = &rest[end + unit.len_utf8()..];
    }
    Some(total)
}

/// Seconds since the epoch now, from the host's wall clock.
pub fn now_seconds() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 60, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        assert_eq!(parse_date("2023-02-29"), None);
    }

    #[test]
    fn timestamps_parse_and_format() {
        let t = parse_timestamp("2024-01-31T12:30:15.25Z", TimeUnit::Millisecond).unwrap();
        assert_eq!(format_timestamp(t, TimeUnit::Millisecond), "2024-01-31T12:30:15.250");
        let shifted = parse_timestamp("2024-01-31 14:30:15.25+02:00", TimeUnit::Millisecond).unwrap();
        assert_eq!(shifted, t);
        assert_eq!(parse_timestamp("2024-01-31", TimeUnit::Second), Some(19_753 * 86_400));
        assert_eq!(format_timestamp(-1, TimeUnit::Second), "1969-12-31T23:59:59");
        assert_eq!(parse_timestamp("2024-01-31T25:00:00", TimeUnit::Second), None);
    }

    #[test]
    fn durations_parse_in_both_notations() {
        assert_eq!(parse_duration("PT24H"), Some(86_400.0));
        assert_eq!(parse_duration("P1DT12H"), Some(129_600.0));
        assert_eq!(parse_duration("pt0.5s"), Some(0.5));
        assert_eq!(parse_duration("1h30m"), Some(5_400.0));
        assert_eq!(parse_duration("2w"), Some(1_209_600.0));
        assert_eq!(parse_duration("30m1h"), None);
        assert_eq!(parse_duration("P"), None);
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration(""), None);
    }
}

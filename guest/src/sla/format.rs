//! Number formats of the seed's SLA messages.

/// The seed's `format_percentage`: a ratio as a percentage with one decimal, `0.02` -> `2.0%`.
pub fn format_percentage(ratio: f64) -> String {
    format!("{:.1}%", ratio * 100.0)
}

/// An integer with `,` between groups of three digits, like Python's `{:,}`: `1234` -> `1,234`.
pub fn format_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_have_one_decimal() {
        assert_eq!(format_percentage(0.1), "10.0%");
        assert_eq!(format_percentage(0.05), "5.0%");
        assert_eq!(format_percentage(1.0 - 0.98), "2.0%");
    }

    #[test]
    fn thousands_are_grouped_like_python() {
        assert_eq!(format_thousands(0), "0");
        assert_eq!(format_thousands(999), "999");
        assert_eq!(format_thousands(1_234), "1,234");
        assert_eq!(format_thousands(2_000), "2,000");
        assert_eq!(format_thousands(1_234_567), "1,234,567");
    }
}

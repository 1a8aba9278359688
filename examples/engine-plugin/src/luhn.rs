//! The Luhn checksum (ISO/IEC 7812-1), used by payment card numbers, IMEIs and many national ids.

/// Whether `text` is a Luhn-valid number: at least two digits, spaces and dashes ignored,
/// nothing else allowed.
pub fn is_valid(text: &str) -> bool {
    let mut sum = 0;
    let mut digits = 0;
    for character in text.chars().rev().filter(|c| !matches!(c, ' ' | '-')) {
        let Some(digit) = character.to_digit(10) else { return false };
        let doubled = if digits % 2 == 1 { digit * 2 } else { digit };
        sum += if doubled > 9 { doubled - 9 } else { doubled };
        digits += 1;
    }
    digits >= 2 && sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn known_numbers() {
        assert!(is_valid("4111 1111 1111 1111"));
        assert!(is_valid("79927398713"));
        assert!(!is_valid("79927398710"));
        assert!(!is_valid("4111-1111-1111-111x"));
        assert!(!is_valid("0"));
    }
}

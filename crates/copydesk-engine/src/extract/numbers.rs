//! Parsing numbers as newswire writes them: digits with separators and
//! decimals, number words, scale words and fractions.
//!
//! Everything here is allocation-light and total: malformed or absurd input
//! (huge exponents, odd separators, non-ASCII digits) yields `None`, never a panic.

/// Digits as written: the value and how many decimals were written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Digits {
    pub value: f64,
    pub decimals: u32,
}

/// Largest value accepted from digits or words; bigger figures are skipped.
pub const MAX_VALUE: f64 = 1e18;

/// Parses ASCII digits with optional thousands separators and one decimal
/// point: "94,300", "5.93", "1,234.5", ".5" is rejected, "1,23" is rejected.
pub fn parse_digits(s: &str) -> Option<Digits> {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() {
        return None;
    }
    let (int_part, frac_part) = match s.find('.') {
        Some(p) => (&s[..p], Some(&s[p + 1..])),
        None => (s, None),
    };
    if int_part.contains(',') {
        let mut groups = int_part.split(',');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 || !first.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        for g in groups {
            if g.len() != 3 || !g.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
        }
    } else if !int_part.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut decimals = 0u32;
    if let Some(f) = frac_part {
        if f.is_empty() || f.len() > 12 || !f.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        decimals = f.len() as u32;
    }
    let digits_only: String = s.chars().filter(|c| *c != ',').collect();
    // Refuse absurdly long integer parts before parsing (10^400 and the like).
    if int_part.bytes().filter(u8::is_ascii_digit).count() > 19 {
        return None;
    }
    let value: f64 = digits_only.parse().ok()?;
    if !value.is_finite() || value > MAX_VALUE {
        return None;
    }
    Some(Digits { value, decimals })
}

/// A multiplier word: "thousand", "million", "mln", "bn", "k", ... (lower-case input).
/// Single letters ("m", "b") are not included: they mean millions only next to a currency.
pub fn scale_word(w: &str) -> Option<f64> {
    Some(match w {
        "hundred" => 1e2,
        "thousand" | "k" => 1e3,
        "million" | "mln" | "mn" | "mio" | "mil" => 1e6,
        "billion" | "bln" | "bn" => 1e9,
        "trillion" | "tln" | "trn" | "tn" => 1e12,
        _ => return None,
    })
}

/// The value of a simple number word (lower-case): "zero".."nineteen", tens.
pub fn small_word(w: &str) -> Option<u64> {
    // Every number word below has 3 to 9 letters: most words are turned away here.
    if !(3..=9).contains(&w.len()) {
        return None;
    }
    Some(match w {
        "zero" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

/// An ordinal word (lower-case): "second" → 2, "twentieth" → 20. "first" is
/// included; callers decide whether to trust it.
pub fn ordinal_word(w: &str) -> Option<u32> {
    Some(match w {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "thirteenth" => 13,
        "fourteenth" => 14,
        "fifteenth" => 15,
        "sixteenth" => 16,
        "seventeenth" => 17,
        "eighteenth" => 18,
        "nineteenth" => 19,
        "twentieth" => 20,
        "thirtieth" => 30,
        "fortieth" => 40,
        "fiftieth" => 50,
        "sixtieth" => 60,
        "seventieth" => 70,
        "eightieth" => 80,
        "ninetieth" => 90,
        "hundredth" => 100,
        _ => return None,
    })
}

/// The denominator of a fraction word (lower-case, singular or plural):
/// "half" → 2, "third(s)" → 3, "quarter(s)" → 4, "fifth(s)" → 5 ... "tenth(s)" → 10.
pub fn fraction_word(w: &str) -> Option<u32> {
    Some(match w {
        "half" | "halves" => 2,
        "third" | "thirds" => 3,
        "quarter" | "quarters" | "fourth" | "fourths" => 4,
        "fifth" | "fifths" => 5,
        "sixth" | "sixths" => 6,
        "seventh" | "sevenths" => 7,
        "eighth" | "eighths" => 8,
        "ninth" | "ninths" => 9,
        "tenth" | "tenths" => 10,
        _ => return None,
    })
}

/// Parses an ordinal written with digits: "21st", "3rd", "2nd", "11th".
pub fn parse_digit_ordinal(s: &str) -> Option<u32> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (d, suf) = s.split_at(split);
    if d.is_empty() || d.len() > 6 {
        return None;
    }
    let n: u32 = d.parse().ok()?;
    let suf = suf.to_ascii_lowercase();
    let expected = match (n % 100, n % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    };
    (suf == expected).then_some(n)
}

/// Parses the longest number-word phrase at the start of `words` (lower-case,
/// hyphenated compounds already split): "twenty one", "two hundred and fifty
/// thousand", "a dozen", "a hundred", "ten thousand", "a million".
/// Returns (words consumed, value). A bare scale word ("hundred") or a lone
/// "a" is not a number; plural scale words ("hundreds") never are.
pub fn parse_word_prefix(words: &[&str]) -> Option<(usize, f64)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Last {
        None,
        A,
        Unit, // 1..9
        Teen, // 10..19
        Tens, // 20..90
        Hundred,
        Scale, // thousand and up, or dozen
        And,
    }
    let mut total = 0f64;
    let mut current = 0f64;
    let mut last = Last::None;
    let mut last_scale = f64::INFINITY;
    let mut best: Option<(usize, f64)> = None;
    for (i, w) in words.iter().enumerate() {
        let w = *w;
        if let Some(n) = small_word(w) {
            let n = n as f64;
            let ok = match last {
                Last::None | Last::Hundred | Last::Scale | Last::And => true,
                Last::Tens => n < 10.0 && n > 0.0,
                _ => false,
            };
            if !ok {
                break;
            }
            // "thousand and five" is fine; "a five" is not.
            current += n;
            last = if n >= 20.0 {
                Last::Tens
            } else if n >= 10.0 {
                Last::Teen
            } else {
                Last::Unit
            };
        } else if w == "a" || w == "an" {
            if last != Last::None {
                break;
            }
            last = Last::A;
            current = 1.0;
            continue;
        } else if w == "hundred" {
            if !matches!(last, Last::A | Last::Unit | Last::Teen | Last::Tens) || current >= 100.0 {
                break;
            }
            current *= 100.0;
            last = Last::Hundred;
        } else if w == "dozen" {
            if !matches!(last, Last::A | Last::Unit | Last::Teen | Last::Tens) {
                break;
            }
            current *= 12.0;
            last = Last::Scale;
        } else if let Some(s) = scale_word(w).filter(|s| *s >= 1e3 && w.len() > 2) {
            if !matches!(last, Last::A | Last::Unit | Last::Teen | Last::Tens | Last::Hundred) || s >= last_scale {
                break;
            }
            total += current * s;
            current = 0.0;
            last_scale = s;
            last = Last::Scale;
        } else if w == "and" {
            if !matches!(last, Last::Hundred | Last::Scale) {
                break;
            }
            last = Last::And;
            continue;
        } else {
            break;
        }
        let v = total + current;
        if v.is_finite() && v <= MAX_VALUE {
            best = Some((i + 1, v));
        }
    }
    best
}

/// Parses a whole number expression ("94,300", "5.93", "fourteen", "ten thousand",
/// "a dozen", "1.2 million", "5.93 mln", "100k", "$4bn" without the currency).
/// A leading currency sign is ignored; a trailing "%" is ignored.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().trim_start_matches(['$', '£', '€', '¥']).trim_end_matches('%').trim();
    if t.is_empty() {
        return None;
    }
    let mut words = t.split_whitespace();
    let first = words.next()?;
    if first.as_bytes()[0].is_ascii_digit() {
        // digits, an optional glued scale suffix, then scale words
        let split = first.find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.')).unwrap_or(first.len());
        let (num, suffix) = first.split_at(split);
        let d = parse_digits(num)?;
        let mut value = d.value;
        if !suffix.is_empty() {
            let suf = suffix.to_ascii_lowercase();
            let m = match suf.as_str() {
                "m" => 1e6,
                "b" => 1e9,
                other => scale_word(other)?,
            };
            value *= m;
        }
        for w in words {
            value *= scale_word(&w.to_ascii_lowercase())?;
        }
        return (value.is_finite() && value <= MAX_VALUE).then_some(value);
    }
    let lower = t.to_lowercase();
    let parts: Vec<&str> = lower.split(|c: char| c.is_whitespace() || c == '-').filter(|w| !w.is_empty()).collect();
    let (n, v) = parse_word_prefix(&parts)?;
    (n == parts.len()).then_some(v)
}

/// Half a unit of the last written digit ("ordinary rounding"): for decimals,
/// half a unit of the last decimal times the scale; for whole numbers with
/// trailing zeros, half a unit of the last nonzero digit, at most 2.5% of the value.
pub fn half_unit(value: f64, decimals: u32, scale: f64) -> f64 {
    if decimals > 0 {
        return 0.5 * 10f64.powi(-(decimals.min(30) as i32)) * scale;
    }
    if !(value.is_finite() && (10.0..9.0e15).contains(&value)) || value.fract() != 0.0 {
        return 0.0;
    }
    let mut n = value as u64;
    let mut z = 0i32;
    while n > 0 && n % 10 == 0 {
        n /= 10;
        z += 1;
    }
    if z == 0 {
        return 0.0;
    }
    (0.5 * 10f64.powi(z)).min(0.025 * value)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn digits_with_separators() {
        assert_eq!(parse_number("94,300"), Some(94300.0));
        assert_eq!(parse_number("1,234.5"), Some(1234.5));
        assert_eq!(parse_number("5.93"), Some(5.93));
        assert_eq!(parse_number("0"), Some(0.0));
        assert_eq!(parse_number("1,23"), None);
        assert_eq!(parse_number("12,3456"), None);
        assert_eq!(parse_number("1.2.3"), None);
        assert_eq!(parse_number("1234,567"), None);
    }

    #[test]
    fn digits_record_decimals() {
        assert_eq!(parse_digits("5.90"), Some(Digits { value: 5.9, decimals: 2 }));
        assert_eq!(parse_digits("94,300"), Some(Digits { value: 94300.0, decimals: 0 }));
    }

    #[test]
    fn scale_words_and_suffixes() {
        assert_eq!(parse_number("1.2 million"), Some(1_200_000.0));
        assert!(close(parse_number("5.93 mln").unwrap_or(0.0), 5_930_000.0));
        assert_eq!(parse_number("1.5 billion"), Some(1.5e9));
        assert_eq!(parse_number("2 bln"), Some(2e9));
        assert_eq!(parse_number("100k"), Some(100_000.0));
        assert_eq!(parse_number("$4bn"), Some(4e9));
        assert_eq!(parse_number("3 trillion"), Some(3e12));
        assert_eq!(parse_number("€3m"), Some(3e6));
        assert_eq!(parse_number("3.9%"), Some(3.9));
        assert_eq!(parse_number("4 widgets"), None);
    }

    #[test]
    fn number_words() {
        assert_eq!(parse_number("fourteen"), Some(14.0));
        assert_eq!(parse_number("twenty-one"), Some(21.0));
        assert_eq!(parse_number("Twenty One"), Some(21.0));
        assert_eq!(parse_number("ten thousand"), Some(10_000.0));
        assert_eq!(parse_number("a dozen"), Some(12.0));
        assert_eq!(parse_number("two dozen"), Some(24.0));
        assert_eq!(parse_number("a hundred"), Some(100.0));
        assert_eq!(parse_number("a million"), Some(1e6));
        assert_eq!(parse_number("two hundred and fifty thousand"), Some(250_000.0));
        assert_eq!(parse_number("one million two hundred thousand"), Some(1_200_000.0));
        assert_eq!(parse_number("three hundred"), Some(300.0));
    }

    #[test]
    fn vague_words_are_not_numbers() {
        assert_eq!(parse_number("hundreds"), None);
        assert_eq!(parse_number("dozens"), None);
        assert_eq!(parse_number("hundred"), None);
        assert_eq!(parse_number("a"), None);
        assert_eq!(parse_number("thousands"), None);
        assert_eq!(parse_number("twenty twenty"), None);
        assert_eq!(parse_number("five four"), None);
        assert_eq!(parse_number("thousand million"), None);
    }

    #[test]
    fn word_prefix_stops_at_non_numbers() {
        assert_eq!(parse_word_prefix(&["fourteen", "people"]), Some((1, 14.0)));
        assert_eq!(parse_word_prefix(&["a", "dozen", "eggs"]), Some((2, 12.0)));
        assert_eq!(parse_word_prefix(&["a", "man"]), None);
        assert_eq!(parse_word_prefix(&["two", "and", "a", "half"]), Some((1, 2.0)));
        assert_eq!(parse_word_prefix(&["million", "tonnes"]), None);
    }

    #[test]
    fn ordinals() {
        assert_eq!(parse_digit_ordinal("21st"), Some(21));
        assert_eq!(parse_digit_ordinal("3rd"), Some(3));
        assert_eq!(parse_digit_ordinal("11th"), Some(11));
        assert_eq!(parse_digit_ordinal("12nd"), None);
        assert_eq!(parse_digit_ordinal("3d"), None);
        assert_eq!(ordinal_word("third"), Some(3));
        assert_eq!(fraction_word("thirds"), Some(3));
    }

    #[test]
    fn huge_numbers_are_refused() {
        let big = format!("1{}", "0".repeat(400));
        assert_eq!(parse_number(&big), None);
        assert_eq!(parse_number("9 trillion trillion"), None);
    }

    #[test]
    fn rounding_half_units() {
        assert!(close(half_unit(5.9, 1, 1.0), 0.05));
        assert!(close(half_unit(1.2e6, 1, 1e6), 50_000.0));
        assert!(close(half_unit(94_000.0, 0, 1.0), 500.0));
        assert!(close(half_unit(100_000.0, 0, 1.0), 2_500.0));
        assert_eq!(half_unit(94_300.0, 0, 1.0), 50.0);
        assert_eq!(half_unit(14.0, 0, 1.0), 0.0);
        assert!(close(half_unit(5_600_000.0, 0, 1.0), 50_000.0));
    }

    fn with_separators(n: u64) -> String {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    /// The number words below twenty, and the tens by their digit.
    pub(crate) const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    pub(crate) const TENS: [&str; 10] =
        ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    fn words_under_1000(n: u64) -> Vec<&'static str> {
        let mut out = Vec::new();
        let (h, r) = (n / 100, n % 100);
        if h > 0 {
            out.push(UNITS[h as usize]);
            out.push("hundred");
            if r > 0 {
                out.push("and");
            }
        }
        if r >= 20 {
            out.push(TENS[(r / 10) as usize]);
            if r % 10 > 0 {
                out.push(UNITS[(r % 10) as usize]);
            }
        } else if r > 0 || h == 0 {
            out.push(UNITS[r as usize]);
        }
        out
    }

    fn to_words(n: u64) -> String {
        let (th, r) = (n / 1000, n % 1000);
        let mut parts: Vec<&str> = Vec::new();
        if th > 0 {
            parts.extend(words_under_1000(th));
            parts.push("thousand");
            if r > 0 {
                parts.extend(words_under_1000(r));
            }
        } else {
            parts.extend(words_under_1000(r));
        }
        parts.join(" ")
    }

    #[test]
    fn word_formatter_samples() {
        assert_eq!(to_words(21), "twenty one");
        assert_eq!(to_words(120_005), "one hundred and twenty thousand five");
        assert_eq!(parse_number(&to_words(120_005)), Some(120_005.0));
    }

    proptest! {
        #[test]
        fn separated_integers_round_trip(n in 0u64..1_000_000_000_000_000) {
            prop_assert_eq!(parse_number(&with_separators(n)), Some(n as f64));
            prop_assert_eq!(parse_number(&n.to_string()), Some(n as f64));
        }

        #[test]
        fn decimals_round_trip(x in 0f64..1e9, k in 1usize..6) {
            let s = format!("{x:.k$}");
            let expected: f64 = s.parse().unwrap_or(0.0);
            let d = parse_digits(&s);
            prop_assert_eq!(d.map(|d| d.value), Some(expected));
            prop_assert_eq!(d.map(|d| d.decimals), Some(k as u32));
        }

        #[test]
        fn number_words_round_trip(n in 0u64..=999_999) {
            prop_assert_eq!(parse_number(&to_words(n)), Some(n as f64));
            let hyphenated = to_words(n).replace("ty ", "ty-");
            prop_assert_eq!(parse_number(&hyphenated), Some(n as f64));
        }

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,40}") {
            let _ = parse_number(&s);
            let _ = parse_digits(&s);
            let _ = parse_digit_ordinal(&s);
        }

        #[test]
        fn digit_like_strings_never_panic(s in "[0-9,.$%kmbn ]{0,30}") {
            if let Some(v) = parse_number(&s) {
                prop_assert!(v.is_finite());
            }
        }
    }
}

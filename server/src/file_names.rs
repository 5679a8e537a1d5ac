//! Uploaded files' names: kept as the uploader's browser gave them, minus
//! anything that could mislead (folders, control and direction characters),
//! and sent back in `Content-Disposition` in a form no browser misreads.

use std::fmt::Write;

/// Longest name kept, in characters; longer ones keep their end (the
/// extension says what the file is).
const MAX_NAME_CHARS: usize = 200;

/// The name a file is kept under: its last path component (browsers send only
/// that, other clients may not), without control characters or text-direction
/// controls (`evil\u{202E}gnp.exe` shows as `evilexe.png`), trimmed and at
/// most [`MAX_NAME_CHARS`]; `file` if nothing is left.
pub fn clean(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = last.chars().filter(|c| !c.is_control() && !is_direction_control(*c)).collect();
    let kept = kept.trim();
    let chars = kept.chars().count();
    let kept: String = kept.chars().skip(chars.saturating_sub(MAX_NAME_CHARS)).collect();
    match kept.trim() {
        "" | "." | ".." => "file".to_owned(),
        name => name.to_owned(),
    }
}

fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `Content-Disposition` for a served file: `inline` or `attachment`, with the
/// name twice (RFC 6266): `filename` in plain ASCII for old clients (every
/// other character, quotes and backslashes included, becomes `_`) and
/// `filename*` percent-encoded UTF-8 for the rest.
pub fn content_disposition(inline: bool, name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        // RFC 5987's attr-char; everything else is %XX.
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            write!(encoded, "%{byte:02X}").expect("writing to a String");
        }
    }
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_folders_controls_and_direction_tricks() {
        assert_eq!(clean("C:\\Users\\mina\\사진.png"), "사진.png");
        assert_eq!(clean("../../etc/passwd"), "passwd");
        assert_eq!(clean("evil\u{202E}gnp.exe"), "evilgnp.exe");
        assert_eq!(clean("a\nb\u{0}.txt "), "ab.txt");
        assert_eq!(clean(" / "), "file");
        assert_eq!(clean(".."), "file");
        let long = format!("{}.pdf", "가".repeat(300));
        let kept = clean(&long);
        assert_eq!(kept.chars().count(), MAX_NAME_CHARS);
        assert!(kept.ends_with(".pdf"));
    }

    #[test]
    fn dispositions_cannot_be_broken_out_of() {
        assert_eq!(
            content_disposition(false, "a\"b; c=d\\.html"),
            "attachment; filename=\"a_b; c=d_.html\"; filename*=UTF-8''a%22b%3B%20c%3Dd%5C.html"
        );
        assert_eq!(
            content_disposition(true, "점심.jpg"),
            "inline; filename=\"__.jpg\"; filename*=UTF-8''%EC%A0%90%EC%8B%AC.jpg"
        );
    }
}

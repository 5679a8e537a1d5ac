//! Content limits both sides enforce: the app to refuse early with a clear
//! message, the server because the app is not the only possible client.

/// Longest message, in characters (not bytes: Korean text is 3 bytes a syllable).
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Most actions a client holds unsent (its outbox). The server accepts this
/// many in one burst on a fresh connection, so a full outbox flushes at once
/// after a reconnect instead of being rate-limited halfway.
pub const OUTBOX_CAPACITY: usize = 200;
/// Longest room name, in characters.
pub const MAX_ROOM_NAME_CHARS: usize = 80;
/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 40;

/// The emoji a message can be reacted with: a small, friendly set every
/// platform draws the same, so a reaction is never a string of anything.
pub const REACTIONS: [&str; 6] = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

/// Checks a reaction: one of [`REACTIONS`].
pub fn check_reaction(emoji: &str) -> Result<(), String> {
    if REACTIONS.contains(&emoji) {
        Ok(())
    } else {
        // The input is not repeated: refusals are stored, and it could be huge.
        Err(format!("that is not one of the reactions ({})", REACTIONS.join(" ")))
    }
}

/// Checks a message's text: not blank, not too long, and no control characters
/// other than newlines and tabs (they corrupt terminals, logs and layouts).
pub fn check_message_text(text: &str) -> Result<(), String> {
    check_text("message", text, MAX_MESSAGE_CHARS, true)
}

/// Checks a room name: like a message, but one line.
pub fn check_room_name(name: &str) -> Result<(), String> {
    check_text("room name", name, MAX_ROOM_NAME_CHARS, false)
}

/// Checks a display name: like a room name, shorter.
pub fn check_display_name(name: &str) -> Result<(), String> {
    check_text("name", name, MAX_DISPLAY_NAME_CHARS, false)
}

fn check_text(what: &str, text: &str, max_chars: usize, multiline: bool) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if !multiline {
        // Names are shown beside other people's words: they may not reorder
        // the text around them, or look like nobody.
        if let Some(bad) = text.chars().find(|c| is_bidi_control(*c)) {
            return Err(format!("the {what} contains a text-direction control (U+{:04X})", bad as u32));
        }
        if text.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
            return Err(format!("the {what} has no visible characters"));
        }
    }
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(format!("the {what} is {chars} characters long; the limit is {max_chars}"));
    }
    let allowed = |c: char| !c.is_control() || (multiline && (c == '\n' || c == '\t'));
    if let Some(bad) = text.chars().find(|c| !allowed(*c)) {
        return Err(format!("the {what} contains a control character (U+{:04X})", bad as u32));
    }
    Ok(())
}

/// Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they
/// change the direction of the text after them. The marks (U+200E, U+200F)
/// that right-to-left scripts need are allowed.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that draw nothing: zero-width spaces and joiners, the word
/// joiner, soft hyphens, byte-order marks, the Mongolian vowel separator,
/// Hangul fillers and variation selectors.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_passes_in_any_script() {
        assert_eq!(check_message_text("안녕하세요! 점심 먹었어요?\n\tnext line"), Ok(()));
        assert_eq!(check_room_name("일반"), Ok(()));
    }

    #[test]
    fn blank_long_and_control_text_is_refused_with_a_reason() {
        assert_eq!(check_message_text("  \n "), Err("the message is empty".into()));
        let long = "가".repeat(MAX_MESSAGE_CHARS + 1);
        assert!(check_message_text(&long).unwrap_err().contains("4001 characters"));
        assert!(check_message_text(&"가".repeat(MAX_MESSAGE_CHARS)).is_ok(), "the limit counts characters");
        assert!(check_message_text("bell\u{7}").unwrap_err().contains("U+0007"));
        assert!(check_room_name("two\nlines").unwrap_err().contains("U+000A"));
    }

    #[test]
    fn names_cannot_hide_or_turn_the_text_around_them() {
        let invisible = "\u{200B}\u{200D}\u{FEFF}\u{3164}";
        assert_eq!(check_display_name(invisible), Err("the name has no visible characters".into()));
        assert!(check_room_name("evil\u{202E}cod.exe").unwrap_err().contains("U+202E"));
        assert!(check_display_name("\u{2067}Mina").unwrap_err().contains("U+2067"));
        assert_eq!(check_display_name("מינה\u{200F}"), Ok(()), "right-to-left marks are fine");
        assert_eq!(check_display_name("👩\u{200D}💻 Mina"), Ok(()), "a joiner inside an emoji is fine");
        assert_eq!(check_message_text("quoting \u{202E} in a message"), Ok(()), "messages may discuss them");
    }
}

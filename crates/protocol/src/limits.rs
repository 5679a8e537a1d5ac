//! Content limits both sides enforce: the app to refuse early with a clear
//! message, the server because the app is not the only possible client.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest message, in characters (not bytes: Korean text is 3 bytes a syllable).
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Most actions a client holds unsent (its outbox). The server accepts this
/// many in one burst on a fresh connection, so a full outbox flushes at once
/// after a reconnect instead of being rate-limited halfway.
pub const OUTBOX_CAPACITY: usize = 200;
/// Most characters of a room's newest message the rooms list carries: the
/// app shows 80 of it as plain text, and the rest leaves room for the
/// formatting and mentions that plain text drops or names. However long the
/// messages, the list stays small on a slow network.
pub const LAST_MESSAGE_LISTED_CHARS: usize = 400;
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

/// Which text a check is about: it sets the length limit, whether lines and
/// tabs are allowed, and the noun of the English reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextField {
    Message,
    RoomName,
    DisplayName,
}

impl TextField {
    fn max_chars(self) -> usize {
        match self {
            TextField::Message => MAX_MESSAGE_CHARS,
            TextField::RoomName => MAX_ROOM_NAME_CHARS,
            TextField::DisplayName => MAX_DISPLAY_NAME_CHARS,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            TextField::Message => "message",
            TextField::RoomName => "room name",
            TextField::DisplayName => "name",
        }
    }
}

/// Why a message or a name was refused, the same whichever side refused it
/// (the app before sending, the server after). Refusals carry it as a code
/// with its parameters, `{"field":"room_name","kind":"too_long","chars":81,"max":80}`,
/// for the app to word in its user's language; `Display` is the English
/// sentence, for logs and for clients that only show the server's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextProblem {
    pub field: TextField,
    #[serde(flatten)]
    pub kind: ProblemKind,
}

/// What is wrong with the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    /// Nothing but whitespace.
    Empty,
    /// `chars` characters, more than the field's `max`.
    TooLong { chars: usize, max: usize },
    /// A control character: it corrupts terminals, logs and layouts. Only
    /// messages may have newlines and tabs.
    ControlCharacter { code_point: u32 },
    /// A name with an embedding, override or isolate (U+202A-U+202E,
    /// U+2066-U+2069): it would turn the text after it around.
    DirectionControl { code_point: u32 },
    /// A name with nothing visible in it: only blank and zero-width characters.
    Invisible,
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = self.field.noun();
        match self.kind {
            ProblemKind::Empty => write!(f, "the {what} is empty"),
            ProblemKind::TooLong { chars, max } => {
                write!(f, "the {what} is {chars} characters long; the limit is {max}")
            }
            ProblemKind::ControlCharacter { code_point } => {
                write!(f, "the {what} contains a control character (U+{code_point:04X})")
            }
            ProblemKind::DirectionControl { code_point } => {
                write!(f, "the {what} contains a text-direction control (U+{code_point:04X})")
            }
            ProblemKind::Invisible => write!(f, "the {what} has no visible characters"),
        }
    }
}

/// Checks a message's text: not blank, not too long, and no control characters
/// other than newlines and tabs. Messages are kept as typed.
pub fn check_message_text(text: &str) -> Result<(), TextProblem> {
    check_text(TextField::Message, text)
}

/// Checks a room name and gives it as it is stored: see [`check_display_name`].
pub fn check_room_name(name: &str) -> Result<String, TextProblem> {
    check_name(TextField::RoomName, name)
}

/// Checks a person's name and gives it as it is stored: trimmed, and in
/// Unicode's composed form (NFC), so that names that look the same are the
/// same (a Hangul syllable typed as one code point or as its three jamo) and
/// the limit counts what is shown. The app sends what this gives; the server
/// checks again, with this same function, and stores what it gives. (The
/// composing is done where the `normalize` feature is on: on the server.)
pub fn check_display_name(name: &str) -> Result<String, TextProblem> {
    check_name(TextField::DisplayName, name)
}

fn check_name(field: TextField, name: &str) -> Result<String, TextProblem> {
    let name = composed(name.trim());
    check_text(field, &name)?;
    Ok(name)
}

/// NFC, on the server; the app leaves it to the server (see Cargo.toml).
#[cfg(feature = "normalize")]
fn composed(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc().collect()
}

#[cfg(not(feature = "normalize"))]
fn composed(text: &str) -> String {
    text.to_owned()
}

fn check_text(field: TextField, text: &str) -> Result<(), TextProblem> {
    let refuse = |kind| Err(TextProblem { field, kind });
    if text.trim().is_empty() {
        return refuse(ProblemKind::Empty);
    }
    let multiline = field == TextField::Message;
    if !multiline {
        // Names are shown beside other people's words: they may not reorder
        // the text around them, or look like nobody.
        if let Some(bad) = text.chars().find(|c| is_bidi_control(*c)) {
            return refuse(ProblemKind::DirectionControl { code_point: bad.into() });
        }
        if text.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
            return refuse(ProblemKind::Invisible);
        }
    }
    let (chars, max) = (text.chars().count(), field.max_chars());
    if chars > max {
        return refuse(ProblemKind::TooLong { chars, max });
    }
    let allowed = |c: char| !c.is_control() || (multiline && (c == '\n' || c == '\t'));
    if let Some(bad) = text.chars().find(|c| !allowed(*c)) {
        return refuse(ProblemKind::ControlCharacter { code_point: bad.into() });
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

    fn problem(field: TextField, kind: ProblemKind) -> Result<String, TextProblem> {
        Err(TextProblem { field, kind })
    }

    #[test]
    fn ordinary_text_passes_in_any_script() {
        assert_eq!(check_message_text("안녕하세요! 점심 먹었어요?\n\tnext line"), Ok(()));
        assert_eq!(check_room_name("일반"), Ok("일반".into()));
        assert_eq!(check_display_name("김미나"), Ok("김미나".into()));
        assert_eq!(check_display_name("מינה\u{200F}"), Ok("מינה\u{200F}".into()), "right-to-left marks are fine");
        assert_eq!(check_display_name("👩\u{200D}💻 Mina"), Ok("👩\u{200D}💻 Mina".into()), "a joiner inside an emoji");
        assert_eq!(check_message_text("quoting \u{202E} in a message"), Ok(()), "messages may discuss them");
    }

    #[test]
    fn names_are_trimmed() {
        assert_eq!(check_room_name("  점심 모임 \t"), Ok("점심 모임".into()));
    }

    #[cfg(feature = "normalize")]
    #[test]
    fn names_are_composed_on_the_server() {
        // 한 typed as three jamo, as some keyboards and file names send it.
        assert_eq!(check_display_name("\u{1112}\u{1161}\u{11AB}"), Ok("한".into()));
        // The limit counts syllables as shown, not the jamo they were typed as.
        let jamo = "\u{1112}\u{1161}\u{11AB}".repeat(MAX_DISPLAY_NAME_CHARS);
        assert_eq!(check_display_name(&jamo), Ok("한".repeat(MAX_DISPLAY_NAME_CHARS)));
    }

    #[test]
    fn blank_text_is_empty() {
        let empty = TextProblem { field: TextField::Message, kind: ProblemKind::Empty };
        assert_eq!(check_message_text("  \n "), Err(empty));
        assert_eq!(check_display_name(" \u{3000} "), problem(TextField::DisplayName, ProblemKind::Empty));
    }

    #[test]
    fn too_long_counts_characters_not_bytes() {
        let long = "가".repeat(MAX_MESSAGE_CHARS + 1);
        let too_long = ProblemKind::TooLong { chars: MAX_MESSAGE_CHARS + 1, max: MAX_MESSAGE_CHARS };
        assert_eq!(check_message_text(&long), Err(TextProblem { field: TextField::Message, kind: too_long }));
        assert_eq!(check_message_text(&"가".repeat(MAX_MESSAGE_CHARS)), Ok(()));
        let room = "방".repeat(MAX_ROOM_NAME_CHARS + 1);
        let too_long = ProblemKind::TooLong { chars: MAX_ROOM_NAME_CHARS + 1, max: MAX_ROOM_NAME_CHARS };
        assert_eq!(check_room_name(&room), problem(TextField::RoomName, too_long));
    }

    #[test]
    fn control_characters_are_refused_but_messages_keep_their_lines() {
        let bell = TextProblem { field: TextField::Message, kind: ProblemKind::ControlCharacter { code_point: 7 } };
        assert_eq!(check_message_text("bell\u{7}"), Err(bell));
        let newline = ProblemKind::ControlCharacter { code_point: 0x0A };
        assert_eq!(check_room_name("two\nlines"), problem(TextField::RoomName, newline));
    }

    #[test]
    fn names_cannot_turn_the_text_around_them() {
        let reversed = ProblemKind::DirectionControl { code_point: 0x202E };
        assert_eq!(check_room_name("evil\u{202E}cod.exe"), problem(TextField::RoomName, reversed));
        let isolate = ProblemKind::DirectionControl { code_point: 0x2067 };
        assert_eq!(check_display_name("\u{2067}Mina"), problem(TextField::DisplayName, isolate));
    }

    #[test]
    fn names_cannot_be_invisible() {
        let invisible = "\u{200B}\u{200D}\u{FEFF}\u{3164}";
        assert_eq!(check_display_name(invisible), problem(TextField::DisplayName, ProblemKind::Invisible));
        assert_eq!(check_room_name("\u{200B} \u{2060}"), problem(TextField::RoomName, ProblemKind::Invisible));
    }

    #[test]
    fn the_english_reason_names_the_text_and_what_is_wrong() {
        let said = |text: &str| check_room_name(text).unwrap_err().to_string();
        assert_eq!(said(""), "the room name is empty");
        assert_eq!(said(&"a".repeat(81)), "the room name is 81 characters long; the limit is 80");
        assert_eq!(said("a\u{7}"), "the room name contains a control character (U+0007)");
        assert_eq!(said("a\u{202E}"), "the room name contains a text-direction control (U+202E)");
        assert_eq!(check_display_name("\u{200B}").unwrap_err().to_string(), "the name has no visible characters");
        assert_eq!(check_message_text(" ").unwrap_err().to_string(), "the message is empty");
    }

    #[test]
    fn a_problem_travels_as_a_snake_case_code_with_its_parameters() {
        let too_long = check_room_name(&"a".repeat(81)).unwrap_err();
        let json = serde_json::to_string(&too_long).unwrap();
        assert_eq!(json, r#"{"field":"room_name","kind":"too_long","chars":81,"max":80}"#);
        assert_eq!(serde_json::from_str::<TextProblem>(&json).unwrap(), too_long);
        let invisible = check_display_name("\u{200B}").unwrap_err();
        assert_eq!(serde_json::to_string(&invisible).unwrap(), r#"{"field":"display_name","kind":"invisible"}"#);
        let reversed = check_room_name("\u{202E}").unwrap_err();
        let json = r#"{"field":"room_name","kind":"direction_control","code_point":8238}"#;
        assert_eq!(serde_json::from_str::<TextProblem>(json).unwrap(), reversed);
    }
}

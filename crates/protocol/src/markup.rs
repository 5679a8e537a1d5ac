//! The little formatting a message may carry, as chat apps write it:
//! `*bold*`, `_italic_`, `` `code` ``, fenced code blocks (```` ``` ````),
//! http(s) links, and mentions (`<@12>`, see [`crate::mention_token`]).
//! Parsed into a tree that the web app builds as DOM nodes: nothing a person
//! types ever becomes HTML, and anything that is not one of these stays
//! literal text. The server reads mentions with the same parse, so a message
//! mentions the same people in the rooms list's count as on the screen.
//!
//! A marker counts only where people mean it: `*` and `_` open after a space
//! (or the start, or an opening bracket or quote) and before a non-space, and
//! close after a non-space and before a space or punctuation, on the same line.
//! So `snake_case_name`, `2*3*4` and `* not a list *` stay as typed.

use std::ops::Range;

use crate::{mention_token, UserId};

/// A stretch of a message: running text, or a fenced code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block<'a> {
    Text(Vec<Inline<'a>>),
    Code(&'a str),
}

/// A piece of running text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline<'a> {
    Text(&'a str),
    Bold(Vec<Inline<'a>>),
    Italic(Vec<Inline<'a>>),
    Code(&'a str),
    Link(&'a str),
    /// A person, drawn under their current name, and their token as typed
    /// (`<@12>`).
    Mention(UserId, &'a str),
}

const FENCE: &str = "```";

/// Splits a message into text and fenced code blocks. An opening fence with
/// no closing one is literal text.
pub fn parse(text: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(FENCE) {
        let inside = &rest[open + FENCE.len()..];
        let Some(close) = inside.find(FENCE) else { break };
        let before = rest[..open].strip_suffix('\n').unwrap_or(&rest[..open]);
        if !before.is_empty() {
            blocks.push(Block::Text(inline(before)));
        }
        let code = &inside[..close];
        let code = code.strip_prefix('\n').unwrap_or(code);
        blocks.push(Block::Code(code.strip_suffix('\n').unwrap_or(code)));
        let after = &inside[close + FENCE.len()..];
        rest = after.strip_prefix('\n').unwrap_or(after);
    }
    if !rest.is_empty() {
        blocks.push(Block::Text(inline(rest)));
    }
    blocks
}

/// Running text: emphasis, inline code and links; the rest as it is.
pub fn inline(text: &str) -> Vec<Inline<'_>> {
    let mut out = Vec::new();
    let mut plain = 0;
    let mut at = 0;
    while at < text.len() {
        let found = match text.as_bytes()[at] {
            b'`' => inline_code(text, at),
            marker @ (b'*' | b'_') => emphasis(text, at, marker),
            b'h' | b'H' => link(text, at),
            b'<' => mention_at(&text[at..]).map(|(user, len)| (Inline::Mention(user, &text[at..at + len]), at + len)),
            _ => None,
        };
        match found {
            Some((piece, end)) => {
                if plain < at {
                    out.push(Inline::Text(&text[plain..at]));
                }
                out.push(piece);
                (plain, at) = (end, end);
            }
            None => at += text[at..].chars().next().map_or(1, char::len_utf8),
        }
    }
    if plain < text.len() {
        out.push(Inline::Text(&text[plain..]));
    }
    out
}

/// A stretch of a message as it shows once drawn: a range of its text, and
/// the person it names when it is a mention (drawn as a chip, not as typed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub range: Range<usize>,
    pub mention: Option<UserId>,
}

/// The stretches of `text` a drawn message shows, in order: all of it but
/// the formatting's markers (emphasis marks, backticks, fences). The line
/// breaks typed around a fence stay. A mention is a stretch of its own; a
/// token inside code is not one, and stays as typed.
/// What shows a message as plain text (a reply's quote, a search result, a
/// notification) shows these, so `*KTX*` reads as "KTX" there as in the room.
pub fn shown(text: &str) -> Vec<Shown> {
    let mut pieces = Vec::new();
    for block in parse(text) {
        match block {
            Block::Text(inline) => shown_pieces(&inline, &mut pieces),
            Block::Code(code) => pieces.push((code, None)),
        }
    }
    // Every piece is a slice of `text`: where it starts is how far its first
    // byte is from `text`'s.
    let start_of = |piece: &str| piece.as_ptr() as usize - text.as_ptr() as usize;
    let mut stretches = Vec::new();
    let mut from = 0;
    for (piece, mention) in pieces.into_iter().filter(|(piece, _)| !piece.is_empty()) {
        let start = start_of(piece);
        let breaks = text[from..start].match_indices('\n').map(|(at, _)| from + at);
        stretches.extend(breaks.map(|at| Shown { range: at..at + 1, mention: None }));
        stretches.push(Shown { range: start..start + piece.len(), mention });
        from = start + piece.len();
    }
    stretches
}

fn shown_pieces<'a>(inline: &[Inline<'a>], pieces: &mut Vec<(&'a str, Option<UserId>)>) {
    for piece in inline {
        match piece {
            Inline::Text(text) | Inline::Code(text) | Inline::Link(text) => pieces.push((text, None)),
            Inline::Mention(user, token) => pieces.push((token, Some(*user))),
            Inline::Bold(inner) | Inline::Italic(inner) => shown_pieces(inner, pieces),
        }
    }
}

/// A mention token at the start of `text`, written as [`mention_token`]
/// writes it: whom it names, and its length. `<@012>` is not one, so that
/// each person has one token to look for.
pub fn mention_at(text: &str) -> Option<(UserId, usize)> {
    let digits = text.strip_prefix("<@")?;
    let end = digits.find(|c: char| !c.is_ascii_digit())?;
    if end == 0 || digits.starts_with('0') || !digits[end..].starts_with('>') {
        return None;
    }
    let user = digits[..end].parse().ok()?;
    Some((UserId(user), 2 + end + 1))
}

/// Whether `text` mentions `user`: it holds their token where the message
/// draws it as a mention (see [`shown`]), not inside code, where it shows
/// as typed.
pub fn mentions(text: &str, user: UserId) -> bool {
    text.contains(&mention_token(user)) && mentioned(text).contains(&user)
}

/// Everyone `text` mentions (see [`mentions`]), each once, in the order
/// first mentioned.
pub fn mentioned(text: &str) -> Vec<UserId> {
    let mut people = Vec::new();
    for user in shown(text).into_iter().filter_map(|shown| shown.mention) {
        if !people.contains(&user) {
            people.push(user);
        }
    }
    people
}

/// `text` as it reads once drawn, without its formatting's markers (see
/// [`shown`]), each mention as `@` and the name `name_of` gives.
pub fn plain(text: &str, name_of: impl Fn(UserId) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    for stretch in shown(text) {
        match stretch.mention {
            Some(user) => {
                out.push('@');
                out.push_str(&name_of(user));
            }
            None => out.push_str(&text[stretch.range]),
        }
    }
    out
}

/// The start of `text` a preview needs: its first `chars` characters (all
/// of it if it is no longer), never ending inside a mention token, which
/// would show as typed.
pub fn start_of(text: &str, chars: usize) -> &str {
    let Some((end, _)) = text.char_indices().nth(chars) else { return text };
    let start = &text[..end];
    match start.rfind('<') {
        Some(open) if !start[open..].contains('>') => &start[..open],
        _ => start,
    }
}

/// `` `code` `` at `at`, on one line: the piece and where it ends.
fn inline_code(text: &str, at: usize) -> Option<(Inline<'_>, usize)> {
    let inside = &text[at + 1..];
    let close = inside.find(['`', '\n']).filter(|&close| close > 0 && inside.as_bytes()[close] == b'`')?;
    Some((Inline::Code(&inside[..close]), at + 1 + close + 1))
}

/// `*bold*` or `_italic_` at `at`: the piece and where it ends.
fn emphasis(text: &str, at: usize, marker: u8) -> Option<(Inline<'_>, usize)> {
    let before = text[..at].chars().next_back();
    let first = text[at + 1..].chars().next()?;
    if !before.is_none_or(opens_after) || first.is_whitespace() || first == marker as char {
        return None;
    }
    let line_end = text[at + 1..].find('\n').map_or(text.len(), |end| at + 1 + end);
    let close = (at + 2..line_end).find(|&close| {
        text.as_bytes()[close] == marker
            && text[..close].chars().next_back().is_some_and(|c| !c.is_whitespace())
            && text[close + 1..].chars().next().is_none_or(closes_before)
    })?;
    let inner = inline(&text[at + 1..close]);
    let piece = if marker == b'*' { Inline::Bold(inner) } else { Inline::Italic(inner) };
    Some((piece, close + 1))
}

fn opens_after(c: char) -> bool {
    c.is_whitespace() || "([{\"'“‘*_".contains(c)
}

fn closes_before(c: char) -> bool {
    c.is_whitespace() || ".,!?;:)]}\"'”’*_~".contains(c)
}

/// An http(s) link at `at` (not inside a word): it ends at whitespace, and
/// punctuation that usually closes a sentence is left out of it.
fn link(text: &str, at: usize) -> Option<(Inline<'_>, usize)> {
    if text[..at].chars().next_back().is_some_and(char::is_alphanumeric) {
        return None;
    }
    let candidate = &text[at..];
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|scheme| candidate.get(..scheme.len()).is_some_and(|start| start.eq_ignore_ascii_case(scheme)))?;
    let end = candidate.find(char::is_whitespace).unwrap_or(candidate.len());
    let url = candidate[..end].trim_end_matches(['.', ',', ')', '!', '?', ';', ':', '"', '\'']);
    (url.len() > scheme.len()).then_some((Inline::Link(url), at + url.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Inline::{Bold, Code, Italic, Link, Text};

    fn one_line(text: &str) -> Vec<Inline<'_>> {
        match parse(text).as_slice() {
            [Block::Text(pieces)] => pieces.clone(),
            other => panic!("not one text block: {other:?}"),
        }
    }

    #[test]
    fn a_preview_takes_the_start_of_a_message_and_no_half_of_a_mention() {
        assert_eq!(start_of("short", 10), "short");
        assert_eq!(start_of("가나다라마", 3), "가나다", "characters, not bytes");
        assert_eq!(start_of("hi <@12> there", 6), "hi ", "a token cut short is left out");
        assert_eq!(start_of("hi <@12> there", 8), "hi <@12>", "a whole one stays");
        assert_eq!(start_of("a < b, c > d", 6), "a ", "a lone bracket goes too: only a few characters");
    }

    #[test]
    fn bold_italic_and_code_are_found_where_people_mean_them() {
        assert_eq!(
            one_line("*lunch* at _noon_, in `room 3`"),
            [Bold(vec![Text("lunch")]), Text(" at "), Italic(vec![Text("noon")]), Text(", in "), Code("room 3")]
        );
        assert_eq!(
            one_line("*really _very_ good*"),
            [Bold(vec![Text("really "), Italic(vec![Text("very")]), Text(" good")])]
        );
    }

    #[test]
    fn markers_inside_words_or_between_spaces_stay_literal() {
        for text in ["snake_case_name", "2*3*4", "* not bold *", "a * b * c", "**", "_ _", "`", "``", "*open only"] {
            assert_eq!(one_line(text), [Text(text)], "{text}");
        }
    }

    #[test]
    fn emphasis_does_not_cross_lines_and_code_keeps_its_markers() {
        assert_eq!(one_line("*one\ntwo*"), [Text("*one\ntwo*")]);
        assert_eq!(one_line("`*not bold*`"), [Code("*not bold*")]);
    }

    #[test]
    fn fenced_code_is_a_block_of_its_own_and_kept_as_typed() {
        let text = "look:\n```\nfn main() {\n    *x* = _y_;\n}\n```\nnice";
        assert_eq!(
            parse(text),
            [
                Block::Text(vec![Text("look:")]),
                Block::Code("fn main() {\n    *x* = _y_;\n}"),
                Block::Text(vec![Text("nice")])
            ]
        );
        assert_eq!(parse("```unclosed"), [Block::Text(vec![Text("```unclosed")])]);
    }

    #[test]
    fn links_are_found_and_sentence_punctuation_stays_outside() {
        assert_eq!(
            one_line("see https://example.com/a_b?c=1. ok"),
            [Text("see "), Link("https://example.com/a_b?c=1"), Text(". ok")]
        );
        assert_eq!(one_line("*read HTTPS://example.com*"), [Bold(vec![Text("read "), Link("HTTPS://example.com")])]);
    }

    #[test]
    fn other_schemes_and_markup_never_become_anything() {
        for text in
            ["javascript:alert(1)", "data:text/html,<b>x</b>", "<script>alert(1)</script>", "http://", "xhttp://a.b"]
        {
            assert!(one_line(text).iter().all(|piece| matches!(piece, Text(_))), "{text}");
        }
    }

    /// The text again, markers and all, from the pieces found in it.
    #[cfg(not(target_arch = "wasm32"))]
    fn unparse(pieces: &[Inline<'_>]) -> String {
        pieces
            .iter()
            .map(|piece| match piece {
                Text(text) | Link(text) => (*text).to_owned(),
                Bold(inner) => format!("*{}*", unparse(inner)),
                Italic(inner) => format!("_{}_", unparse(inner)),
                Code(code) => format!("`{code}`"),
                Inline::Mention(user, _) => mention_token(*user),
            })
            .collect()
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Nothing typed is lost or changed: whatever the text, the pieces
        /// found in it, with their markers, are the text again.
        #[test]
        fn every_character_typed_is_shown(text in "[a-z 가*_`.\nh:/tps<@1>]{0,40}") {
            proptest::prop_assert_eq!(unparse(&inline(&text)), text);
        }
    }

    /// Names person 12 Mina, and anyone else by their number.
    fn named(text: &str) -> String {
        plain(text, |user| if user == UserId(12) { "Mina".into() } else { format!("#{}", user.0) })
    }

    #[test]
    fn plain_text_reads_as_the_drawn_message_without_its_markers() {
        assert_eq!(named("*KTX* at _noon_, in `room 3`"), "KTX at noon, in room 3");
        assert_eq!(
            named("look:\n```\nfn main() {}\n```\nnice"),
            "look:\n\nfn main() {}\n\nnice",
            "the code keeps lines of its own"
        );
        assert_eq!(named("*<@12>* lunch? <@7>"), "@Mina lunch? @#7", "a mention is named, emphasised or not");
        for text in ["snake_case_name", "2*3*4", "```unclosed", "", "점심 *먹자"] {
            assert_eq!(named(text), text, "nothing was formatting");
        }
    }

    #[test]
    fn a_mention_typed_inside_code_stays_as_typed() {
        assert_eq!(named("write `<@12>` to mention <@12>"), "write <@12> to mention @Mina");
        assert_eq!(named("see\n```\nping <@12>\n```"), "see\n\nping <@12>", "nor inside a fenced block");
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// What plain text leaves out of a message is only its markers, and
        /// what it shows comes in the order typed.
        #[test]
        fn only_markers_are_left_out(text in "[a-z 가*_`.\nh:/tps<@1>]{0,40}") {
            let mut from = 0;
            for Shown { range, .. } in shown(&text) {
                proptest::prop_assert!(range.start >= from && range.end > range.start, "{:?}", range);
                proptest::prop_assert!(text[from..range.start].chars().all(|c| "*_`".contains(c)));
                from = range.end;
            }
            proptest::prop_assert!(text[from..].chars().all(|c| "*_`\n".contains(c)));
        }
    }

    #[test]
    fn a_mention_is_a_piece_of_its_own_even_inside_emphasis() {
        assert_eq!(
            one_line("*<@12>*, lunch? <@x>"),
            [Bold(vec![Inline::Mention(UserId(12), "<@12>")]), Text(", lunch? <@x>")]
        );
        assert_eq!(one_line("`<@12>`"), [Code("<@12>")]);
    }

    #[test]
    fn a_token_names_a_user_by_id_and_anything_else_is_not_one() {
        assert_eq!(mention_at("<@12> hi"), Some((UserId(12), 5)));
        for text in ["<@>", "<@12", "<@x>", "<12>", "@12", "<@1 2>", "<@012>", "<@0>"] {
            assert_eq!(mention_at(text), None, "{text}");
        }
    }

    #[test]
    fn a_message_mentions_whom_it_draws_as_a_mention() {
        assert!(mentions("lunch, <@7>?", UserId(7)));
        assert!(mentions("*<@7>*, lunch?", UserId(7)), "emphasised, still a mention");
        assert!(!mentions("lunch, <@77>?", UserId(7)));
        assert!(!mentions("type `<@7>` to mention", UserId(7)), "inside code, text as typed");
        assert!(!mentions("```\nping <@7>\n```", UserId(7)), "nor inside a fenced block");
        assert_eq!(
            mentioned("<@7> and <@12>, `<@3>`, *<@7>* again"),
            [UserId(7), UserId(12)],
            "each once, in order, none inside code"
        );
        assert_eq!(mentioned("no one here, <@x>, <@012>"), []);
        assert!(!mentions("<@012>", UserId(12)), "as mentioned says");
    }

    #[test]
    fn korean_text_around_formatting_is_kept_whole() {
        assert_eq!(
            one_line("여기 *중요* http://a.example 봐요"),
            [Text("여기 "), Bold(vec![Text("중요")]), Text(" "), Link("http://a.example"), Text(" 봐요")]
        );
    }
}

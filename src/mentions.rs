//! Mentions as people type and read them. A message stores a mention as its
//! token, `<@12>` (`hanmadi_protocol::mention_token`), so a rename never
//! breaks it; the composer and the edit box show `@Mina` instead, and turn
//! the names picked from the "Mention" list back into tokens when sending.
//! Whether a message mentions someone is `hanmadi_protocol::markup::mentions`,
//! which the server's count asks too. Pure logic, tested natively.

use hanmadi_client_core::sorting;
use hanmadi_protocol::markup::mention_at;
use hanmadi_protocol::{mention_token, Member, UserId};

use crate::store::lowercase;

/// How many people the "Mention" list offers at once.
pub const MOST_OFFERED: usize = 8;

/// The `@name` being typed just before `caret` (a byte offset): where its `@`
/// is, and what follows it. An `@` counts at the start or after a space or an
/// opening bracket (so an email address does not open the list), and the
/// name typed after it has no space yet.
pub fn query_at(text: &str, caret: usize) -> Option<(usize, &str)> {
    let before = text.get(..caret)?;
    let at = before.rfind('@')?;
    let query = &before[at + 1..];
    (starts_word(&before[..at]) && !query.contains(char::is_whitespace) && query.chars().count() <= 32)
        .then_some((at, query))
}

/// Whether an `@` after `before` starts a word: at the start, or after a
/// space or an opening bracket or quote.
fn starts_word(before: &str) -> bool {
    before.chars().next_back().is_none_or(|c| c.is_whitespace() || "([{\"'".contains(c))
}

/// The members to offer for `query`, best first: names that start with it,
/// then names holding it, ignoring case; in Korean, initial consonants typed
/// alone match the syllables they begin ("ㅁㄴ" finds 미나). You are not offered.
pub fn offered<'a>(members: &'a [Member], me: Option<UserId>, query: &str) -> Vec<&'a Member> {
    let query = lowercase(query);
    let mut found: Vec<(bool, String, &Member)> = members
        .iter()
        .filter(|member| Some(member.user) != me)
        .filter_map(|member| {
            let name = lowercase(&member.name);
            let starts = name.starts_with(&query) || initials(&name).starts_with(&query);
            (starts || name.contains(&query) || initials(&name).contains(&query)).then_some((!starts, name, member))
        })
        .collect();
    sorting::sort_by(&mut found, |a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    found.into_iter().take(MOST_OFFERED).map(|(_, _, member)| member).collect()
}

/// A name with each Hangul syllable replaced by its initial consonant, as
/// Korean keyboards type it alone ("미나" → "ㅁㄴ"); other characters stay.
fn initials(name: &str) -> String {
    const INITIALS: [char; 19] = [
        'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ',
        'ㅎ',
    ];
    name.chars()
        .map(|c| match u32::from(c) {
            // Each initial begins a block of 21 × 28 syllables.
            syllable @ 0xAC00..=0xD7A3 => INITIALS[((syllable - 0xAC00) / (21 * 28)) as usize],
            _ => c,
        })
        .collect()
}

/// `text` with the `@query` from `at` to `caret` replaced by `@{name} `:
/// the new text and the caret after the space. `None` if no `@query` stands
/// there any more (the text changed under the list: another tab's draft).
pub fn pick(text: &str, at: usize, caret: usize, name: &str) -> Option<(String, usize)> {
    if query_at(text, caret)?.0 != at {
        return None;
    }
    let inserted = format!("@{name} ");
    let picked = format!("{}{inserted}{}", &text[..at], &text[caret..]);
    Some((picked, at + inserted.len()))
}

/// The text to send: each `@{name}` of someone picked from the list, where
/// it still stands whole (starting a word, and not the start of a longer
/// one), becomes their
/// token. Longer names are matched first, so picking "Mina Kim" and "Mina"
/// both works.
pub fn encode(text: &str, picked: &[Member]) -> String {
    let mut picked: Vec<&Member> = picked.iter().collect();
    sorting::sort_by(&mut picked, |a, b| b.name.len().cmp(&a.name.len()));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while let Some(at) = rest.find('@') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        for member in picked.iter().filter(|_| starts_word(&out)) {
            let whole = after.strip_prefix(member.name.as_str()).is_some_and(|tail| {
                tail.chars().next().is_none_or(|c| !c.is_alphanumeric()) && !member.name.is_empty()
            });
            if whole {
                out.push_str(&mention_token(member.user));
                rest = &after[member.name.len()..];
                continue 'scan;
            }
        }
        out.push('@');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A stored text as people type it: each token of someone `name_of` knows
/// becomes `@{name}`, and they count as picked (so saving an edit keeps the
/// mention). A token of someone unknown stays as it is, and is kept.
pub fn decode(text: &str, name_of: impl Fn(UserId) -> Option<String>) -> (String, Vec<Member>) {
    let mut out = String::with_capacity(text.len());
    let mut picked: Vec<Member> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("<@") {
        out.push_str(&rest[..at]);
        match mention_at(&rest[at..]).and_then(|(user, len)| Some((user, len, name_of(user)?))) {
            Some((user, len, name)) => {
                out.push('@');
                out.push_str(&name);
                if !picked.iter().any(|member| member.user == user) {
                    picked.push(Member { user, name });
                }
                rest = &rest[at + len..];
            }
            None => {
                out.push_str("<@");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    (out, picked)
}

/// The byte offset in `text` of a position the browser counts in UTF-16
/// units (a field's `selectionStart`), and back.
pub fn byte_offset(text: &str, utf16: u32) -> usize {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        if units >= utf16 {
            return at;
        }
        units += c.len_utf16() as u32;
    }
    text.len()
}

/// The UTF-16 position of byte offset `at` in `text` (see [`byte_offset`]).
pub fn utf16_offset(text: &str, at: usize) -> u32 {
    text[..at].encode_utf16().count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(user: u64, name: &str) -> Member {
        Member { user: UserId(user), name: name.into() }
    }

    #[test]
    fn the_list_opens_at_an_at_sign_that_starts_a_word() {
        assert_eq!(query_at("hi @mi", 6), Some((3, "mi")));
        assert_eq!(query_at("@", 1), Some((0, "")));
        assert_eq!(query_at("(@미", "(@미".len()), Some((1, "미")));
        assert_eq!(query_at("mail me@home", 12), None, "inside a word");
        assert_eq!(query_at("@mina kim", 9), None, "a space ends it");
        assert_eq!(query_at("@mina and", 3), Some((0, "mi")), "only what is before the caret");
    }

    #[test]
    fn names_that_start_with_what_is_typed_come_first_and_you_are_not_offered() {
        let members =
            [member(1, "Jimin"), member(2, "Mina"), member(3, "mina kim"), member(4, "Sora"), member(5, "Min")];
        let names =
            |query| offered(&members, Some(UserId(5)), query).iter().map(|m| m.name.as_str()).collect::<Vec<_>>();
        assert_eq!(names("mi"), ["Mina", "mina kim", "Jimin"]);
        assert_eq!(names("MINA"), ["Mina", "mina kim"]);
        assert_eq!(names(""), ["Jimin", "Mina", "mina kim", "Sora"]);
        assert!(names("zz").is_empty());
    }

    #[test]
    fn korean_names_are_found_by_syllables_or_by_their_initial_consonants() {
        let members = [member(1, "미나"), member(2, "김민준"), member(3, "Sora")];
        let names = |query| offered(&members, None, query).iter().map(|m| m.name.as_str()).collect::<Vec<_>>();
        assert_eq!(names("미"), ["미나"]);
        assert_eq!(names("민"), ["김민준"]);
        assert_eq!(names("ㅁㄴ"), ["미나"]);
        assert_eq!(names("ㄱㅁ"), ["김민준"]);
    }

    #[test]
    fn picking_replaces_what_was_typed_and_sending_stores_ids() {
        let (text, caret) = pick("lunch @mi now", 6, 9, "Mina").expect("an @query at 6");
        assert_eq!((text.as_str(), caret), ("lunch @Mina  now", 12));
        let picked = [member(2, "Mina"), member(3, "Mina Kim")];
        assert_eq!(encode("@Mina Kim and @Mina, hi", &picked), "<@3> and <@2>, hi");
        assert_eq!(encode("@Minari and mail@Mina.com", &picked), "@Minari and mail@Mina.com");
        assert_eq!(encode("@Sora", &picked), "@Sora", "typed, never picked: not a mention");
    }

    #[test]
    fn picking_where_the_text_changed_under_the_list_changes_nothing() {
        assert_eq!(pick("", 6, 9, "Mina"), None, "the box emptied by another tab");
        assert_eq!(pick("lunch now", 6, 9, "Mina"), None, "no @query there any more");
        assert_eq!(pick("a @mi and @so", 2, 5, "Sora").map(|(text, _)| text), Some("a @Sora  and @so".into()));
    }

    #[test]
    fn an_edit_shows_names_and_saves_the_same_ids() {
        let names = |user: UserId| (user == UserId(2)).then(|| "미나".to_owned());
        let (shown, picked) = decode("<@2> 점심? <@9> <@2>", names);
        assert_eq!(shown, "@미나 점심? <@9> @미나");
        assert_eq!(picked, [member(2, "미나")]);
        assert_eq!(encode(&shown, &picked), "<@2> 점심? <@9> <@2>");
    }

    #[test]
    fn caret_positions_convert_between_utf16_and_bytes() {
        let text = "미나 😀 @j";
        for at in [0, "미".len(), "미나 😀".len(), text.len()] {
            assert_eq!(byte_offset(text, utf16_offset(text, at)), at);
        }
        assert_eq!(utf16_offset(text, "미나 😀".len()), 5, "an emoji is two units");
    }
}

//! Where a search matched in a hit's text, for the app to highlight: found
//! here, with Unicode case folding, so the app links no case tables of its
//! own (see "What keeps the wasm small" in the README).

use hanmadi_protocol::http::Highlight;

/// Most highlights given for one hit: a one-letter search in a long message
/// would otherwise send hundreds.
const MAX_HIGHLIGHTS: usize = 32;

/// The parts of `text` that are `needle` ignoring case, or one of `tokens`
/// (the mentions of people so named) as they are, in order and not
/// overlapping, as byte offsets on character boundaries. A token is marked
/// whole, never a match of the needle that overlaps it: the app draws a
/// marked token as the person's name, marked.
pub(super) fn highlights(text: &str, needle: &str, tokens: &[String]) -> Vec<Highlight> {
    // Tokens never overlap each other: each ends with `>`, which none holds.
    let mut found: Vec<Highlight> = tokens
        .iter()
        .flat_map(|token| text.match_indices(token.as_str()))
        .map(|(at, token)| Highlight { start: at as u32, end: (at + token.len()) as u32 })
        .collect();
    let overlaps_a_token =
        |matched: &Highlight| found.iter().any(|token| matched.start < token.end && token.start < matched.end);
    let words: Vec<Highlight> = needle_matches(text, needle).into_iter().filter(|m| !overlaps_a_token(m)).collect();
    found.extend(words);
    found.sort_by_key(|highlight| highlight.start);
    found.truncate(MAX_HIGHLIGHTS);
    found
}

/// The parts of `text` that are `needle` ignoring case, in order and not
/// overlapping.
fn needle_matches(text: &str, needle: &str) -> Vec<Highlight> {
    let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut found = Vec::new();
    let mut from = 0;
    while from < chars.len() && found.len() < MAX_HIGHLIGHTS && !needle.is_empty() {
        match matched_chars(&chars[from..], &needle) {
            Some(count) => {
                let end = chars.get(from + count).map_or(text.len(), |(at, _)| *at);
                found.push(Highlight { start: chars[from].0 as u32, end: end as u32 });
                from += count;
            }
            None => from += 1,
        }
    }
    found
}

/// How many of `chars`, from the first, fold to exactly `needle`, if any do.
fn matched_chars(chars: &[(usize, char)], needle: &[char]) -> Option<usize> {
    let mut at = 0;
    for (count, (_, c)) in chars.iter().enumerate() {
        for folded in c.to_lowercase() {
            if needle.get(at) != Some(&folded) {
                return None;
            }
            at += 1;
        }
        if at == needle.len() {
            return Some(count + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str, needle: &str) -> String {
        let mut out = String::new();
        let mut last = 0;
        for Highlight { start, end } in highlights(text, needle, &[]) {
            let (start, end) = (start as usize, end as usize);
            out += &text[last..start];
            out += &format!("[{}]", &text[start..end]);
            last = end;
        }
        out + &text[last..]
    }

    #[test]
    fn every_match_is_marked_ignoring_case() {
        assert_eq!(marked("Lunch? LUNCH! lunch.", "lunch"), "[Lunch]? [LUNCH]! [lunch].");
        assert_eq!(marked("오늘 점심 먹자, 점심!", "점심"), "오늘 [점심] 먹자, [점심]!");
        assert_eq!(marked("ÉTÉ et été", "été"), "[ÉTÉ] et [été]");
    }

    #[test]
    fn matches_do_not_overlap_and_wildcards_are_plain_text() {
        assert_eq!(marked("aaaa", "aa"), "[aa][aa]");
        assert_eq!(marked("100% or 1000", "100%"), "[100%] or 1000");
        assert_eq!(marked("no match here", "lunch"), "no match here");
    }

    #[test]
    fn offsets_fall_on_character_boundaries() {
        // İ lowers to two characters ("i̇"): a needle of just "i" must not
        // end in the middle of it.
        assert_eq!(marked("İstanbul", "i"), "İstanbul");
        assert_eq!(marked("İstanbul", "i̇s"), "[İs]tanbul");
    }

    #[test]
    fn a_long_message_gets_a_bounded_number() {
        assert_eq!(highlights(&"a".repeat(4000), "a", &[]).len(), MAX_HIGHLIGHTS);
    }

    #[test]
    fn mentions_of_the_people_named_are_marked_whole_beside_the_words() {
        let tokens = ["<@12>".to_owned()];
        let found = highlights("<@12> asks Mina, and <@12> again", "mina", &tokens);
        let marked: Vec<(u32, u32)> = found.iter().map(|highlight| (highlight.start, highlight.end)).collect();
        assert_eq!(marked, [(0, 5), (11, 15), (21, 26)]);
        // A match inside a token, or across its edge, gives way to it.
        let whole = [Highlight { start: 0, end: 5 }];
        assert_eq!(highlights("<@12>", "12", &tokens), whole);
        assert_eq!(highlights("<@12>", "<@1", &tokens), whole);
    }
}

//! Cutting a text short for a line that shows its beginning (a
//! conversation's newest message, the quote above a reply), between
//! characters that a reader sees as one. Pure logic, tested natively.

const ZERO_WIDTH_JOINER: char = '\u{200D}';

/// `text`'s first `chars` characters and "…", or a few less so as not to
/// split what a reader sees as one: an emoji made of several (a family, a
/// skin tone, a flag), a letter and its accents or vowel signs, a Hangul
/// syllable typed as letters. `text` whole if it is no longer than that.
///
/// A few rules by hand rather than Unicode's segmentation tables (the
/// unicode-segmentation crate), which would add their size to the wasm for
/// two short lines; the scripts whose letters join in ways these do not
/// know (conjuncts in Indic scripts, say) may still be cut inside one.
pub fn cut_short(text: &str, chars: usize) -> String {
    let Some((counted, _)) = text.char_indices().nth(chars) else { return text.to_owned() };
    let mut cut = counted;
    while let Some(before) = text[..cut].chars().next_back() {
        let next = text[cut..].chars().next().unwrap_or(' ');
        let halves_a_flag =
            is_regional(next) && text[..cut].chars().rev().take_while(|c| is_regional(*c)).count() % 2 == 1;
        if !(joins_before(next) || before == ZERO_WIDTH_JOINER || halves_a_flag) {
            break;
        }
        cut -= before.len_utf8();
    }
    // One cluster from the start: cut where counted.
    let cut = if cut == 0 { counted } else { cut };
    format!("{}…", &text[..cut])
}

/// Whether `c` belongs with the character before it: a joiner, a variation
/// selector, a skin tone, a tag, a combining mark (accents; Hebrew and
/// Arabic points; Thai and Devanagari vowel signs), a vowel or final
/// consonant of a syllable typed as Hangul letters.
fn joins_before(c: char) -> bool {
    matches!(c,
        ZERO_WIDTH_JOINER
        | '\u{0300}'..='\u{036F}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{05BF}' | '\u{05C1}' | '\u{05C2}' | '\u{05C4}' | '\u{05C5}' | '\u{05C7}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0900}'..='\u{0903}'
        | '\u{093A}'..='\u{094F}'
        | '\u{0951}'..='\u{0957}'
        | '\u{0962}' | '\u{0963}'
        | '\u{0E31}'
        | '\u{0E34}'..='\u{0E3A}'
        | '\u{0E47}'..='\u{0E4E}'
        | '\u{1160}'..='\u{11FF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{3099}'..='\u{309A}'
        | '\u{D7B0}'..='\u{D7FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0020}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// One of the two letters a flag is made of.
fn is_regional(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::cut_short;

    #[test]
    fn a_text_is_cut_between_what_a_reader_sees_as_one() {
        assert_eq!(cut_short("abcd", 3), "abc…", "plain letters: where counted");
        assert_eq!(cut_short("abc", 3), "abc", "one that fits is whole");
        assert_eq!(cut_short("ab👩\u{200D}👩\u{200D}👧 hi", 3), "ab…", "a family, not a woman");
        assert_eq!(cut_short("ab👍🏽 ok", 3), "ab…", "a thumb with its skin tone");
        assert_eq!(cut_short("ab🇰🇷 go", 3), "ab…", "a flag, not half of one");
        assert_eq!(cut_short("a🇰🇷 go", 3), "a🇰🇷…", "a flag before the cut stays whole");
        assert_eq!(cut_short("🇰🇷🇯🇵🇺🇸", 3), "🇰🇷…", "flags alone, two letters each");
        assert_eq!(cut_short("abe\u{301} !", 3), "ab…", "a letter with its accent");
        assert_eq!(cut_short("ab\u{1112}\u{1161}\u{11AB}", 3), "ab…", "한 typed as three letters");
        assert_eq!(cut_short("abก\u{0E34}น", 3), "ab…", "a Thai letter with its vowel sign");
        assert_eq!(cut_short("abب\u{064E}", 3), "ab…", "an Arabic letter with its vowel");
        let marks = "\u{301}".repeat(5);
        assert_eq!(cut_short(&marks, 3), "\u{301}".repeat(3) + "…", "marks alone: cut where counted");
    }
}

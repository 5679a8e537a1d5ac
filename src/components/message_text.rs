//! A message's text as nodes: plain text, with http(s) links made clickable.
//! User content never reaches `inner_html`, and no other scheme (`javascript:`,
//! `data:`) ever becomes a link.

use leptos::prelude::*;

/// A piece of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits text into plain pieces and http(s) links. A link ends at whitespace;
/// trailing punctuation that usually closes a sentence is left out of it.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = find_link_start(rest) {
        if start > 0 {
            pieces.push(Piece::Text(&rest[..start]));
        }
        let candidate = &rest[start..];
        let end = candidate.find(char::is_whitespace).unwrap_or(candidate.len());
        let link = candidate[..end].trim_end_matches(['.', ',', ')', '!', '?', ';', ':', '"', '\'']);
        pieces.push(Piece::Link(link));
        rest = &candidate[link.len()..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    pieces
}

fn find_link_start(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    ["https://", "http://"].iter().filter_map(|scheme| lower.find(scheme)).filter(|at| text.len() > at + 8).min()
}

#[component]
pub fn MessageText(text: String) -> impl IntoView {
    pieces(&text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.to_owned().into_any(),
            Piece::Link(url) => {
                view! { <a href=url.to_owned() target="_blank" rel="noopener noreferrer nofollow">{url.to_owned()}</a> }
                    .into_any()
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_and_sentence_punctuation_stays_outside() {
        assert_eq!(
            pieces("see https://example.com/a?b=1. ok"),
            [Piece::Text("see "), Piece::Link("https://example.com/a?b=1"), Piece::Text(". ok")]
        );
    }

    #[test]
    fn other_schemes_never_become_links() {
        for text in ["javascript:alert(1)", "data:text/html,<b>x</b>", "<script>alert(1)</script>", "http://"] {
            assert!(pieces(text).iter().all(|p| matches!(p, Piece::Text(_))), "{text}");
        }
    }

    #[test]
    fn korean_text_around_links_is_kept_whole() {
        assert_eq!(
            pieces("여기 http://a.example 봐요"),
            [Piece::Text("여기 "), Piece::Link("http://a.example"), Piece::Text(" 봐요")]
        );
    }
}

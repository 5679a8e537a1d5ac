//! English and Korean, chosen from the browser's language. Every word the page
//! shows comes from here, so the two stay in step: the fixed words in
//! `texts`, sentences made from what happened in `sentences`, and why
//! something was refused (worded from the server's codes) in `refusals`.

mod refusals;
mod sentences;
mod texts;

use std::sync::OnceLock;

pub use sentences::SaidBy;
pub use texts::Texts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

/// The page's language: Korean if the browser prefers it, English otherwise.
pub fn lang() -> Lang {
    static LANG: OnceLock<Lang> = OnceLock::new();
    *LANG.get_or_init(|| {
        let preferred = web_sys::window().and_then(|window| window.navigator().language()).unwrap_or_default();
        Lang::from_tag(&preferred)
    })
}

/// The words of the page's language.
pub fn t() -> &'static Texts {
    lang().texts()
}

impl Lang {
    /// From a BCP 47 tag such as `ko-KR` or `en-US`.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("ko") {
            Lang::Ko
        } else {
            Lang::En
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_browsers_get_korean_and_everyone_else_english() {
        assert_eq!(Lang::from_tag("ko-KR"), Lang::Ko);
        assert_eq!(Lang::from_tag("ko"), Lang::Ko);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag("ja-JP"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }
}

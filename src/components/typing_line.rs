//! "Mina is typing…": a polite live region, so screen readers hear it when idle.

use leptos::prelude::*;

#[component]
pub fn TypingLine(typing: ArcRwSignal<Vec<String>>) -> impl IntoView {
    let text = move || typing.with(|names| typing_text(names));
    view! { <p class="typing" aria-live="polite">{text}</p> }
}

/// The sentence for who is typing.
pub fn typing_text(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("{one} is typing…"),
        [one, two] => format!("{one} and {two} are typing…"),
        _ => "Several people are typing…".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_two_or_several() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(typing_text(&names(&[])), "");
        assert_eq!(typing_text(&names(&["Mina"])), "Mina is typing…");
        assert_eq!(typing_text(&names(&["Mina", "Jun"])), "Mina and Jun are typing…");
        assert_eq!(typing_text(&names(&["Mina", "Jun", "Seo"])), "Several people are typing…");
    }
}

//! A message's text as DOM nodes, built from its parsed formatting
//! (`crate::markup`): user content never reaches `inner_html`, and no scheme
//! but http(s) (`javascript:`, `data:`) ever becomes a link.

use leptos::prelude::*;

use crate::markup::{self, Block, Inline};

#[component]
pub fn MessageText(text: String) -> impl IntoView {
    markup::parse(&text)
        .into_iter()
        .map(|block| match block {
            Block::Text(pieces) => inline_views(pieces).into_any(),
            Block::Code(code) => view! { <pre class="code-block"><code>{code.to_owned()}</code></pre> }.into_any(),
        })
        .collect_view()
}

fn inline_views(pieces: Vec<Inline<'_>>) -> Vec<AnyView> {
    pieces.into_iter().map(inline_view).collect()
}

fn inline_view(piece: Inline<'_>) -> AnyView {
    match piece {
        Inline::Text(text) => text.to_owned().into_any(),
        Inline::Bold(inner) => view! { <strong>{inline_views(inner)}</strong> }.into_any(),
        Inline::Italic(inner) => view! { <em>{inline_views(inner)}</em> }.into_any(),
        Inline::Code(code) => view! { <code>{code.to_owned()}</code> }.into_any(),
        Inline::Link(url) => {
            view! { <a href=url.to_owned() target="_blank" rel="noopener noreferrer nofollow">{url.to_owned()}</a> }
                .into_any()
        }
    }
}

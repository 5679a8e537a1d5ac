//! "Search messages": the newest messages containing what is typed, in the
//! rooms you are in (the server searches: `GET /api/search`). Each result
//! names its room, author and time, shows the match marked, and opens the
//! room at the message, lit. Escape clears the search. When more were
//! found than the first page holds, "Show older results" adds the next page
//! and takes the focus to its first result.

use std::time::Duration;

use hanmadi_protocol::http::{Highlight, SearchHit, SearchResults, MAX_SEARCH_CHARS};
use hanmadi_protocol::{MessageId, UserId};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::composer::composing;
use super::keyed::live_rows;
use super::message_link::MessageLink;
use super::message_text::{name_in, plain_text};
use super::reactive::{handler, memo, redrawn, When};
use crate::api;
use crate::i18n::{lang, t};
use crate::store::Store;
use hanmadi_protocol::markup::{self, Shown};

/// A pause in typing this long runs the search: not one request per key.
const TYPING_PAUSE: Duration = Duration::from_millis(250);

#[component]
pub fn MessageSearch() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let results = RwSignal::new(None::<Result<SearchResults, ()>>);
    let older = RwSignal::new(OlderPage::NotAsked);
    // A search's first page is on its way: what is shown is the last
    // search's, and no older page of it is offered.
    let searching = RwSignal::new(false);
    let list = NodeRef::<leptos::html::Ul>::new();
    // Each search has a number; an answer to an older one is dropped.
    let asked = StoredValue::new(0u32);
    // Asks for a page of search `this`'s results: the first, shown in place
    // of the last search's, or the one older than message `before`, added
    // under those shown.
    let fetch = move |this: u32, text: String, before: Option<MessageId>| {
        spawn_local(async move {
            let page = api::search(&text, before).await;
            if asked.try_get_value() != Some(this) {
                return; // searched for something else since
            }
            match (page, before) {
                (page, None) => {
                    searching.set(false);
                    results.set(Some(page.map_err(drop)));
                }
                (Err(_), Some(_)) => older.set(OlderPage::Failed),
                (Ok(page), Some(_)) => {
                    older.set(OlderPage::NotAsked);
                    let next = results.try_update(|results| match results {
                        Some(Ok(found)) => {
                            let shown = found.hits.len();
                            let new: Vec<_> = page
                                .hits
                                .into_iter()
                                .filter(|hit| found.hits.iter().all(|had| had.message != hit.message))
                                .collect();
                            found.hits.extend(new);
                            found.more = page.more;
                            // The first new result, or the last one when none came.
                            shown.min(found.hits.len().saturating_sub(1))
                        }
                        _ => 0,
                    });
                    // The reader goes on from there, once drawn, unless they
                    // have gone elsewhere meanwhile (the button may be gone).
                    request_animation_frame(move || {
                        let Some(list) = list.get_untracked() else { return };
                        let body: Option<web_sys::Element> = document().body().map(Into::into);
                        let still_here = match document().active_element() {
                            None => true,
                            Some(focus) => Some(&focus) == body.as_ref() || focus.class_list().contains("search-more"),
                        };
                        let item = next.and_then(|at| list.children().item(at as u32));
                        let link = item.and_then(|item| item.query_selector("a").ok().flatten());
                        if let Some(link) = link.filter(|_| still_here) {
                            let _ = link.unchecked_into::<web_sys::HtmlElement>().focus();
                        }
                    });
                }
            }
        });
    };
    let search = move |now: bool| {
        asked.update_value(|n| *n += 1);
        older.set(OlderPage::NotAsked);
        let this = asked.get_value();
        let text = query.get_untracked().trim().to_owned();
        searching.set(!text.is_empty());
        if text.is_empty() {
            results.set(None);
            return;
        }
        let run = move || {
            // Typed on since: the next pause runs it.
            if asked.try_get_value() == Some(this) {
                fetch(this, text, None);
            }
        };
        if now {
            run();
        } else {
            set_timeout(run, TYPING_PAUSE);
        }
    };
    let on_keydown = move |event: KeyboardEvent| {
        if event.key() == "Escape" && !composing(&event) && !query.with_untracked(String::is_empty) {
            event.prevent_default();
            query.set(String::new());
            search(true);
        }
    };
    let more = move || !searching.get() && results.with(|results| matches!(results, Some(Ok(found)) if found.more));
    let show_older = move |_| {
        let last = results.with_untracked(|results| match results {
            Some(Ok(found)) => found.hits.last().map(|hit| hit.message),
            _ => None,
        });
        // Pressed again while the page is on its way: it is asked for once.
        if last.is_some() && !searching.get_untracked() && older.get_untracked() != OlderPage::OnItsWay {
            older.set(OlderPage::OnItsWay);
            fetch(asked.get_value(), query.get_untracked().trim().to_owned(), last);
        }
    };
    let hits = memo(move || {
        results.with(|results| match results {
            Some(Ok(found)) => found.hits.clone(),
            _ => Vec::new(),
        })
    });
    // Said by a screen reader as results arrive; shown only when there are none.
    let outcome = move || {
        if older.get() == OlderPage::Failed {
            return Some((t().search_failed.to_owned(), true));
        }
        results.with(|results| match results {
            Some(Ok(found)) if found.hits.is_empty() => Some((t().no_results.to_owned(), true)),
            Some(Ok(found)) => Some((lang().found(found.hits.len(), found.more), false)),
            Some(Err(())) => Some((t().search_failed.to_owned(), true)),
            None => None,
        })
    };
    let said = move || outcome().map(|(said, _)| said);
    let shown = move || outcome().is_some_and(|(_, shown)| shown);

    view! {
        <form
            role="search"
            class="message-search"
            on:submit=handler(move |event: leptos::ev::SubmitEvent| {
                event.prevent_default();
                search(true);
            })
        >
            <input
                type="search"
                aria-label=t().search_messages
                placeholder=t().search_messages
                maxlength=MAX_SEARCH_CHARS.to_string()
                prop:value=move || query.get()
                on:input=handler(move |event| {
                    query.set(event_target_value(&event));
                    search(false);
                })
                on:keydown=handler(on_keydown)
            />
        </form>
        <p class="search-note" class=("visually-hidden", move || !shown()) aria-live="polite">{said}</p>
        <When when=move || hits.with(|hits| !hits.is_empty())>
            <ul class="search-results" aria-label=t().search_results node_ref=list>
                // Keyed by message: a hit found again by the next query stays
                // (and keeps the focus), its text and marks brought up to date.
                {live_rows(hits, |hit| hit.message, |hit| view! { <li><Hit hit /></li> }.into_any())}
            </ul>
            <When when=more>
                <button type="button" class="search-more" on:click=handler(show_older)>
                    {t().older_results}
                </button>
            </When>
        </When>
    }
}

/// The page of results older than those shown, asked for by "Show older
/// results"; one that could not be had is said as a failed search, and the
/// button stays to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OlderPage {
    NotAsked,
    OnItsWay,
    Failed,
}

/// One result: where and by whom, when, and the text with the match marked.
#[component]
fn Hit(hit: ReadSignal<SearchHit>) -> impl IntoView {
    // Where a message is, and who wrote it when, never change.
    let (room, seq, id, at) = hit.with_untracked(|hit| (hit.room, hit.seq, hit.message, hit.at));
    let time = crate::browser_text::date_and_time(at);
    // A message deleted since the search found it is shown as deleted, if
    // this page holds it: no text of it stays on screen.
    let deleted = {
        let timeline = expect_context::<Store>().room(room).timeline();
        memo(move || timeline.with(|t| t.message_at(seq, id).is_some_and(|message| message.deleted)))
    };
    // As the message reads drawn (see `plain_text`): the server counted the
    // match's offsets on the stored text, so it is cut there first, each
    // piece without its markers and with its mentions named.
    let state = StoredValue::new(expect_context::<Store>().room(room));
    let text = redrawn(move || {
        if deleted.get() {
            return t().deleted.into_any();
        }
        hit.with(|hit| {
            state
                .with_value(|state| {
                    from_near_the_match(marked(&hit.text, &hit.highlights, |user| name_in(state, user)))
                })
                .into_iter()
                .map(|(piece, found)| if found { view! { <mark>{piece}</mark> }.into_any() } else { piece.into_any() })
                .collect_view()
                .into_any()
        })
        .into_any()
    });
    let label = {
        let time = time.clone();
        Signal::derive(move || {
            let said = if deleted.get() {
                t().deleted.to_owned()
            } else {
                hit.with(|hit| state.with_value(|state| plain_text(state, &hit.text)))
            };
            hit.with(|hit| lang().search_hit(&hit.author_name, &hit.room_name, &time, &said))
        })
    };
    view! {
        <MessageLink room seq class="search-hit" label>
            <span class="hit-where">
                <span class="hit-room">{move || hit.with(|hit| hit.room_name.clone())}</span>
                <span class="hit-author">{move || hit.with(|hit| hit.author_name.clone())}</span>
                <time class="hit-time">{time}</time>
            </span>
            <span class="hit-text">{text}</span>
        </MessageLink>
    }
}

/// `text` as it reads drawn (without its formatting's markers, its mentions
/// named by `name_of`, see `markup::shown`), cut into pieces, each marked as
/// found or not. A mention touched by a match is marked whole. Ranges that do
/// not fall on character boundaries, overlap or run backwards are left
/// unmarked: the text is always shown whole.
fn marked(text: &str, highlights: &[Highlight], name_of: impl Fn(UserId) -> String) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    let mut from = 0;
    for highlight in highlights {
        let (start, end) = (highlight.start as usize, highlight.end as usize);
        if start < from || text.get(start..end).is_none_or(str::is_empty) {
            continue;
        }
        found.push(start..end);
        from = end;
    }
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut push = |piece: &str, is_found: bool| match pieces.last_mut() {
        Some((last, was_found)) if *was_found == is_found => last.push_str(piece),
        _ => pieces.push((piece.to_owned(), is_found)),
    };
    for Shown { range, mention } in markup::shown(text) {
        if let Some(user) = mention {
            let is_found = found.iter().any(|found| found.end > range.start && found.start < range.end);
            push(&format!("@{}", name_of(user)), is_found);
            continue;
        }
        let mut at = range.start;
        while at < range.end {
            let within = found.iter().find(|found| found.end > at && found.start < range.end);
            let (end, is_found) = match within {
                Some(found) if found.start <= at => (found.end.min(range.end), true),
                Some(found) => (found.start, false),
                None => (range.end, false),
            };
            push(&text[at..end], is_found);
            at = end;
        }
    }
    pieces
}

/// Characters a result keeps before its first match, when more come
/// before it: the result shows a few lines at most (see `main.css`), and a
/// match far into a long message would be cut off below them.
const BEFORE_THE_MATCH: usize = 30;

/// `pieces` (see [`marked`]) starting a little before the first match, "…"
/// saying what was left out, when more than [`BEFORE_THE_MATCH`]
/// characters come before it. Cut after a space where there is one among
/// them, so no word is shown in half.
fn from_near_the_match(mut pieces: Vec<(String, bool)>) -> Vec<(String, bool)> {
    let matched = pieces.len() > 1;
    let Some((before, false)) = pieces.first_mut().filter(|_| matched) else { return pieces };
    let chars = before.chars().count();
    if chars <= BEFORE_THE_MATCH + 1 {
        return pieces;
    }
    let (kept_from, _) = before.char_indices().nth(chars - BEFORE_THE_MATCH).expect("counted");
    let kept_from = before[kept_from..].find(char::is_whitespace).map_or(kept_from, |space| kept_from + space + 1);
    *before = format!("…{}", &before[kept_from..]);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_match_far_into_a_long_message_is_shown_with_a_little_before_it() {
        let plan = "Here is the plan so far: we meet at the station at 7:45, check in at the ";
        let pieces = vec![(plan.to_owned(), false), ("cabin".to_owned(), true), (" after lunch".to_owned(), false)];
        assert_eq!(
            from_near_the_match(pieces),
            [("…at 7:45, check in at the ".into(), false), ("cabin".into(), true), (" after lunch".into(), false)]
        );
        let near = vec![("Cabin details: ".to_owned(), false), ("cabin".to_owned(), true)];
        assert_eq!(from_near_the_match(near.clone()), near, "near the start: whole");
        let unmarked = vec![(plan.to_owned(), false)];
        assert_eq!(from_near_the_match(unmarked.clone()), unmarked, "no match placed: whole");
        let korean = vec![("가".repeat(40), false), ("점심".to_owned(), true)];
        assert_eq!(
            from_near_the_match(korean)[0].0,
            format!("…{}", "가".repeat(30)),
            "no space: cut between characters"
        );
    }

    fn at(start: u32, end: u32) -> Highlight {
        Highlight { start, end }
    }

    /// `marked`, with person 12 named Mina.
    fn marked(text: &str, highlights: &[Highlight]) -> Vec<(String, bool)> {
        super::marked(text, highlights, |user| if user == UserId(12) { "Mina".into() } else { "someone".into() })
    }

    #[test]
    fn the_match_is_marked_and_the_text_stays_whole() {
        let text = "점심 먹자, 점심!";
        let both = [at(0, 6), at(15, 21)];
        assert_eq!(
            marked(text, &both),
            [("점심".into(), true), (" 먹자, ".into(), false), ("점심".into(), true), ("!".into(), false)]
        );
        let bad = [at(1, 4), at(3, 2), at(0, 99)];
        assert_eq!(marked(text, &bad), [(text.into(), false)], "off a character boundary, backwards, past the end");
        assert_eq!(marked("lunch", &[at(0, 5), at(2, 4)]), [("lunch".into(), true)], "an overlap is skipped");
        assert_eq!(marked("", &[]), []);
    }

    #[test]
    fn a_result_reads_as_the_message_drawn_without_its_markers() {
        // "*KTX* at `noon`": the match "KTX" at 1..4, "noon" at 10..14.
        let text = "*KTX* at `noon`";
        assert_eq!(marked(text, &[at(1, 4)]), [("KTX".into(), true), (" at noon".into(), false)]);
        assert_eq!(
            marked(text, &[at(0, 5), at(9, 15)]),
            [("KTX".into(), true), (" at ".into(), false), ("noon".into(), true)],
            "a match over the markers marks what shows of it"
        );
    }

    #[test]
    fn a_mention_reads_as_its_name_and_one_in_code_as_typed() {
        // "<@12>, `<@12>` lunch": the match "lunch" at 15..20; one at 2..4 is
        // inside the first mention's token.
        let text = "<@12>, `<@12>` lunch";
        assert_eq!(marked(text, &[at(15, 20)]), [("@Mina, <@12> ".into(), false), ("lunch".into(), true)]);
        assert_eq!(
            marked(text, &[at(2, 4)]),
            [("@Mina".into(), true), (", <@12> lunch".into(), false)],
            "a match inside a token marks the name whole"
        );
    }
}

//! Message search (`GET /api/search`): people find messages in the rooms
//! they are in, by any part of a word in any script, newest first; never in
//! rooms they are not in, never a deleted message, never text an edit
//! replaced; and what they type is searched for literally, whatever it is.
//! Runs on SQLite, and on PostgreSQL under `HANMADI_TEST_POSTGRES`.

mod common;

use common::{Session, TestServer};
use hanmadi_protocol::http::{SearchHit, SearchResults, MAX_SEARCH_CHARS, MAX_SEARCH_PAGE};
use hanmadi_protocol::{mention_token, Action, MessageId};
use serde_json::Value;

/// `GET /api/search` with these query parameters as `who`: the status and the body.
async fn search_as(server: &TestServer, who: Option<&Session>, params: &[(&str, &str)]) -> (u16, Value) {
    let mut request = reqwest::Client::new().get(server.http("/api/search")).query(params);
    if let Some(who) = who {
        request = request.bearer_auth(&who.token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The first page of hits for `q`, as `who`.
async fn search(server: &TestServer, who: &Session, q: &str) -> SearchResults {
    let (status, body) = search_as(server, Some(who), &[("q", q)]).await;
    assert_eq!(status, 200, "searching {q:?}: {body}");
    serde_json::from_value(body).unwrap()
}

fn texts(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|hit| hit.text.as_str()).collect()
}

/// The parts of a hit's text the server marked as matching.
fn highlighted(hit: &SearchHit) -> Vec<&str> {
    hit.highlights.iter().map(|h| &hit.text[h.start as usize..h.end as usize]).collect()
}

#[tokio::test]
async fn mina_finds_lunch_in_her_rooms_newest_first_and_nowhere_else() {
    let server = TestServer::start().await;
    let two = server.mina_and_jun_in("lunch plans").await;
    let (mut mina_tab, mut jun_tab, plans) = (two.mina_tab, two.jun_tab, two.room);
    let work = mina_tab.create_room("work").await;
    let secret = jun_tab.create_room("jun's secret").await;

    let first = mina_tab.say(plans, "Lunch at noon?").await.message;
    jun_tab.say(secret, "a lunch Mina must not find").await;
    mina_tab.say(work, "nothing to see").await;
    let second = jun_tab.say(plans, "yes, LUNCH at noon").await.message;
    let third = mina_tab.say(work, "back from lunch").await.message;

    let found = search(&server, &two.mina, "lunch").await;
    assert_eq!(texts(&found), ["back from lunch", "yes, LUNCH at noon", "Lunch at noon?"], "newest first");
    assert!(!found.more);
    let ids: Vec<MessageId> = found.hits.iter().map(|hit| hit.message).collect();
    assert_eq!(ids, [third, second, first]);

    let jun_said = &found.hits[1];
    assert_eq!((jun_said.room, jun_said.room_name.as_str()), (plans, "lunch plans"));
    assert_eq!((jun_said.author, jun_said.author_name.as_str()), (two.jun.user.id, "Jun"));
    assert!(jun_said.seq.0 > 0 && jun_said.at > 1_700_000_000_000, "{jun_said:?}");
    assert_eq!(highlighted(jun_said), ["LUNCH"], "the match is marked as written");
    assert_eq!(found.hits[0].room_name, "work");

    // Jun is in "lunch plans" and his own room, not in "work".
    let jun_found = search(&server, &two.jun, "LUNCH").await;
    assert_eq!(texts(&jun_found), ["yes, LUNCH at noon", "a lunch Mina must not find", "Lunch at noon?"]);

    // Leaving a room takes its messages out of what Mina can find.
    mina_tab.act(Action::LeaveRoom { room: plans }).await;
    assert_eq!(texts(&search(&server, &two.mina, "lunch").await), ["back from lunch"]);
}

#[tokio::test]
async fn a_person_s_name_finds_the_messages_that_mention_them_marked_whole() {
    let server = TestServer::start().await;
    let two = server.mina_and_jun_in("picnic").await;
    let (mut mina_tab, mut jun_tab, picnic) = (two.mina_tab, two.jun_tab, two.room);
    let mina = two.mina.user.id;
    let asked = jun_tab.say(picnic, &format!("{} can you bring the mat?", mention_token(mina))).await.message;
    jun_tab.say(picnic, "the mat is blue").await;
    let signed = mina_tab.say(picnic, "yes! Mina").await.message;

    // Her name, in any case, whole or two letters of it (which SQLite scans
    // for rather than looks up), finds her mention and her name as written.
    let ids = |found: SearchResults| found.hits.iter().map(|hit| hit.message).collect::<Vec<_>>();
    for q in ["Mina", "MI"] {
        assert_eq!(ids(search(&server, &two.jun, q).await), [signed, asked], "searching {q:?}");
    }
    // With an @ before it, only her mention.
    assert_eq!(ids(search(&server, &two.jun, "@mina").await), [asked]);
    let found = search(&server, &two.jun, "mina").await;
    assert_eq!(highlighted(&found.hits[0]), ["Mina"]);
    assert_eq!(highlighted(&found.hits[1]), [mention_token(mina)], "her mention is marked whole");

    // Minho shares no room with Jun: his name finds nothing of Jun's, though
    // a message there holds his token (Jun's app draws it as "someone").
    let minho = server.sign_up("Minho").await;
    jun_tab.say(picnic, &format!("ask {} too?", mention_token(minho.user.id))).await;
    assert!(search(&server, &two.jun, "minho").await.hits.is_empty());
    assert!(search(&server, &two.jun, "Sora").await.hits.is_empty(), "a name no one has");
}

#[tokio::test]
async fn korean_words_are_found_by_any_part_even_two_syllables() {
    let server = TestServer::start().await;
    let two = server.mina_and_jun_in("점심 모임").await;
    let (mut mina_tab, room) = (two.mina_tab, two.room);
    mina_tab.say(room, "오늘 점심 먹자").await;
    mina_tab.say(room, "점심은 김밥으로 해요").await;
    mina_tab.say(room, "저녁은 따로 먹자").await;

    let lunch = search(&server, &two.jun, "점심").await;
    assert_eq!(texts(&lunch), ["점심은 김밥으로 해요", "오늘 점심 먹자"], "a two-syllable word, particles and all");
    assert_eq!(highlighted(&lunch.hits[0]), ["점심"]);
    assert_eq!(texts(&search(&server, &two.jun, "점심 먹자").await), ["오늘 점심 먹자"]);
    assert_eq!(texts(&search(&server, &two.jun, "먹자").await), ["저녁은 따로 먹자", "오늘 점심 먹자"]);
    assert_eq!(texts(&search(&server, &two.jun, "김").await), ["점심은 김밥으로 해요"], "one syllable");
    assert_eq!(texts(&search(&server, &two.jun, "  김밥으로 ").await), ["점심은 김밥으로 해요"], "trimmed");
    assert!(search(&server, &two.jun, "점심 저녁").await.hits.is_empty(), "the words together, as typed");
}

#[tokio::test]
async fn deleted_messages_and_replaced_text_are_never_found() {
    let server = TestServer::start().await;
    let two = server.mina_and_jun_in("oversharing").await;
    let (mut mina_tab, room) = (two.mina_tab, two.room);
    let secret = mina_tab.say(room, "my password is hunter2").await.message;
    let short = mina_tab.say(room, "ok").await.message;
    mina_tab.say(room, "the password rules are posted").await;

    mina_tab.act(Action::EditMessage { room, message: secret, text: "my password is ********".into() }).await;
    assert!(search(&server, &two.jun, "hunter2").await.hits.is_empty(), "an edit replaces the text");
    let edited = search(&server, &two.jun, "********").await;
    assert_eq!(texts(&edited), ["my password is ********"], "the new text is found, stars and all");

    mina_tab.act(Action::DeleteMessage { room, message: secret }).await;
    mina_tab.act(Action::DeleteMessage { room, message: short }).await;
    for gone in ["hunter2", "********", "my password", "ok", "o"] {
        let found = search(&server, &two.jun, gone).await;
        assert!(found.hits.iter().all(|hit| hit.message != secret && hit.message != short), "{gone:?}: {found:?}");
    }
    assert_eq!(texts(&search(&server, &two.jun, "password").await), ["the password rules are posted"]);
}

#[tokio::test]
async fn what_is_typed_is_searched_for_literally() {
    let server = TestServer::start().await;
    let two = server.mina_and_jun_in("punctuation").await;
    let (mut mina_tab, room) = (two.mina_tab, two.room);
    for text in ["100% sure", "1000 reasons", "she said \"hi\" to me", "a*b", "x_y", "xzy", "back\\slash", "NEAR OR"] {
        mina_tab.say(room, text).await;
    }
    let found = |q: &'static str| {
        let (server, jun) = (&server, &two.jun);
        async move { search(server, jun, q).await.hits.into_iter().map(|hit| hit.text).collect::<Vec<_>>() }
    };
    assert_eq!(found("100%").await, ["100% sure"]);
    assert_eq!(found("%").await, ["100% sure"], "% is not a wildcard");
    assert_eq!(found("_").await, ["x_y"], "_ is not a wildcard");
    assert_eq!(found("x_y").await, ["x_y"]);
    assert_eq!(found("\"").await, ["she said \"hi\" to me"]);
    assert_eq!(found("\"hi\"").await, ["she said \"hi\" to me"], "quotes cannot end the phrase");
    assert_eq!(found("*").await, ["a*b"]);
    assert_eq!(found("a*b").await, ["a*b"], "* is not a prefix query");
    assert_eq!(found("\\").await, ["back\\slash"]);
    assert_eq!(found("k\\s").await, ["back\\slash"]);
    assert_eq!(found("NEAR OR").await, ["NEAR OR"], "query words are words");
    assert!(found("hi\" OR \"100").await.is_empty(), "no OR smuggled in");
    assert!(found("1000 OR x").await.is_empty());
    assert!(found("NEAR(a b)").await.is_empty());
    assert!(found("body:sure").await.is_empty(), "no column filter");
}

#[tokio::test]
async fn a_search_needs_a_session_and_a_sensible_query() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;

    let (status, body) = search_as(&server, None, &[("q", "lunch")]).await;
    assert_eq!(status, 401, "{body}");
    let forged = Session { token: "v2.k0.x.1.1.9999999999.AAAA".into(), ..mina.clone() };
    assert_eq!(search_as(&server, Some(&forged), &[("q", "lunch")]).await.0, 401);

    let refused = |params: Vec<(&'static str, String)>| {
        let (server, mina) = (&server, &mina);
        async move {
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, body) = search_as(server, Some(mina), &params).await;
            assert_eq!(status, 400, "{params:?}: {body}");
            body["error"].as_str().unwrap().to_owned()
        }
    };
    assert!(refused(vec![]).await.contains("q is empty"));
    assert!(refused(vec![("q", String::new())]).await.contains("q is empty"));
    assert!(refused(vec![("q", " \t ".into())]).await.contains("q is empty"));
    let too_long = "점".repeat(MAX_SEARCH_CHARS + 1);
    assert_eq!(refused(vec![("q", too_long)]).await, "the search is 201 characters long; the limit is 200");
    assert!(refused(vec![("q", "bell\u{7}".into())]).await.contains("control character (U+0007)"));
    assert!(refused(vec![("q", "lunch".into()), ("before", "yesterday".into())]).await.contains("before"));
    assert!(refused(vec![("q", "lunch".into()), ("limit", "-1".into())]).await.contains("limit"));

    // The longest allowed, counted in characters (600 bytes of Korean).
    let longest = "점".repeat(MAX_SEARCH_CHARS);
    assert_eq!(search_as(&server, Some(&mina), &[("q", &longest)]).await.0, 200);
}

#[tokio::test]
async fn pages_bring_the_rest_without_repeats() {
    let server = TestServer::start().await;
    let two = server.mina_and_jun_in("chatty").await;
    let (mut mina_tab, room) = (two.mina_tab, two.room);
    for n in 0..55 {
        mina_tab.say(room, &format!("lunch idea {n}")).await;
    }
    mina_tab.say(room, "unrelated").await;

    let (_, most) = search_as(&server, Some(&two.jun), &[("q", "lunch"), ("limit", "1000")]).await;
    let most: SearchResults = serde_json::from_value(most).unwrap();
    assert_eq!((most.hits.len(), most.more), (MAX_SEARCH_PAGE as usize, true), "a page is at most 50");

    let mut seen = Vec::new();
    let mut before: Option<MessageId> = None;
    let mut pages = Vec::new();
    loop {
        let before_text = before.map(|id| id.0.to_string());
        let mut params = vec![("q", "lunch")];
        if let Some(before) = &before_text {
            params.push(("before", before.as_str()));
        }
        let (status, body) = search_as(&server, Some(&two.jun), &params).await;
        assert_eq!(status, 200, "{body}");
        let page: SearchResults = serde_json::from_value(body).unwrap();
        pages.push(page.hits.len());
        seen.extend(page.hits.iter().map(|hit| hit.text.clone()));
        if !page.more {
            break;
        }
        before = page.hits.last().map(|hit| hit.message);
    }
    assert_eq!(pages, [20, 20, 15], "20 a page by default");
    let expected: Vec<String> = (0..55).rev().map(|n| format!("lunch idea {n}")).collect();
    assert_eq!(seen, expected, "every hit once, newest first");
}

#[tokio::test]
async fn searches_are_counted_by_the_api_limit() {
    // One call back every ten seconds: the burst is spent long before the
    // next comes back, however slow the machine.
    let server = TestServer::start_with(|config| config.api_calls_per_minute = 6).await;
    let mina = server.sign_up("Mina").await;
    // The sign-up took one call of the burst (half a minute's worth: 3).
    for _ in 0..2 {
        assert_eq!(search_as(&server, Some(&mina), &[("q", "lunch")]).await.0, 200, "a burst is fine");
    }
    let (status, body) = search_as(&server, Some(&mina), &[("q", "lunch")]).await;
    assert_eq!(status, 429, "{body}");
    assert!(body["error"].as_str().unwrap().contains("too many requests"), "{body}");
}

#[tokio::test]
async fn what_is_said_is_indexed_soon_with_no_one_searching() {
    let server = TestServer::start().await;
    if server.database_url().starts_with("postgres") {
        // PostgreSQL indexes each message in the commit that adds it.
        return;
    }
    let two = server.mina_and_jun_in("quiet room").await;
    let mut mina_tab = two.mina_tab;
    let said = mina_tab.say(two.room, "indexed by the server's own task").await.message;

    let database = server.database().await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let up_to: i64 = sqlx::query_scalar("SELECT up_to FROM search_indexed").fetch_one(&database).await.unwrap();
        if up_to >= said.0 as i64 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not indexed 10 s after it was said");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

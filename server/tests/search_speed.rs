//! How fast a search answers in a big room, end to end over HTTP (session
//! check, membership, the query, the JSON): the design's target is 50 ms for
//! a 10,000-message room. It prints the median and 95th percentile of a run
//! of searches for each kind of query and asserts only what is found, never
//! how fast: machines are noisy.
//!
//! `cargo xtask bench search` seeds 10,000 messages, in release, on SQLite
//! and on a throwaway PostgreSQL; `cargo xtask test` seeds 1,000
//! (`HANMADI_SEARCH_MESSAGES`). Messages go through the socket like anyone's,
//! so the index is kept the way it is in use.

mod common;

use std::time::{Duration, Instant};

use common::{Client, TestServer};
use hanmadi_protocol::http::SearchResults;
use hanmadi_protocol::{Action, ClientFrame, RoomId, ServerFrame};

/// Actions in flight on the seeding socket: as deep as the server lets one
/// connection pipeline, so seeding takes seconds, not minutes.
const IN_FLIGHT: usize = 32;
/// Timed searches per query, after a few untimed ones.
const RUNS: usize = 50;
const WARM_UP: usize = 3;

/// What is searched for, how often it occurs in the seeded messages (one in
/// `every`, `0`: never) and what it stands for.
const QUERIES: [(&str, usize, &str); 6] = [
    ("lunch", 3, "a common word"),
    ("zebra", 1000, "a rare word"),
    ("점심", 4, "Korean, two syllables (below a trigram: a scan)"),
    ("빙수", 1000, "Korean, two syllables, rare (a scan of every message)"),
    ("김밥집", 50, "Korean, three syllables"),
    ("nowhere", 0, "found nowhere"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_room_answers_searches_quickly() {
    let messages: usize = std::env::var("HANMADI_SEARCH_MESSAGES").map_or(1000, |n| n.parse().unwrap());
    let server = TestServer::start_with(|config| {
        config.actions_per_sec = 1_000_000;
        config.frames_per_sec = 1_000_000;
        config.api_calls_per_minute = 1_000_000;
    })
    .await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;
    // The big room, a small one Mina is also in, and one she is not in,
    // whose messages the search must pass over.
    let big = mina_tab.create_room("big room").await;
    let side = mina_tab.create_room("side room").await;
    let elsewhere = jun_tab.create_room("elsewhere").await;
    let seeding = Instant::now();
    seed(&mut mina_tab, big, 0, messages).await;
    seed(&mut mina_tab, side, messages, messages / 10).await;
    seed(&mut jun_tab, elsewhere, 2 * messages, messages / 10).await;
    let seeded = seeding.elapsed();

    let database = if server.database_url().starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!(
        "\nsearch: a {messages}-message room and a {}-message one on {database} (seeded through the socket in {:.1} s); \
         {RUNS} searches each over HTTP (target: 50 ms)",
        messages / 10,
        seeded.as_secs_f64()
    );
    let http = reqwest::Client::new();
    let get = |path: String, query: Vec<(&'static str, &'static str)>| {
        let request = http.get(server.http(&path)).bearer_auth(&mina.token).query(&query);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{path} {query:?}");
            response.json::<serde_json::Value>().await.unwrap()
        }
    };
    // Searched once as soon as the messages are in, and again once the
    // database has statistics on them (PostgreSQL's autovacuum gathers them
    // within a minute of a big write; its plans before that can be worse).
    for pass in ["just seeded", "after ANALYZE"] {
        if pass == "after ANALYZE" {
            sqlx::query("ANALYZE").execute(&server.database().await).await.unwrap();
        }
        println!("  {pass}:");
        // For scale: an ordinary read, the newest page of the big room.
        let (times, _) = timed(|| get(format!("/api/rooms/{big}/messages"), vec![("limit", "20")])).await;
        println!("    {}           for scale: the big room's newest 20 messages (scroll-back)", figures(times));
        for (q, every, what) in QUERIES {
            let (times, body) = timed(|| get("/api/search".into(), vec![("q", q)])).await;
            let results: SearchResults = serde_json::from_value(body).unwrap();
            let in_mina_rooms = if every == 0 { 0 } else { (messages + messages / 10).div_ceil(every) };
            assert_eq!(results.hits.len(), in_mina_rooms.min(20), "{q}: {results:?}");
            assert_eq!(results.more, in_mina_rooms > 20, "{q}");
            assert!(results.hits.iter().all(|hit| hit.room != elsewhere && hit.text.contains(q)), "{q}");
            // Names last: Korean is wider than its character count on a terminal.
            println!("    {}   {in_mina_rooms:>5} hits   {what}: {q:?}", figures(times));
        }
    }
}

/// Runs `call` [`WARM_UP`] times, then [`RUNS`] times timed: the times,
/// sorted, and the last answer.
async fn timed<F: std::future::Future<Output = serde_json::Value>>(
    mut call: impl FnMut() -> F,
) -> (Vec<Duration>, serde_json::Value) {
    for _ in 0..WARM_UP {
        call().await;
    }
    let mut times = Vec::with_capacity(RUNS);
    let mut last = serde_json::Value::Null;
    for _ in 0..RUNS {
        let started = Instant::now();
        last = call().await;
        times.push(started.elapsed());
    }
    times.sort();
    (times, last)
}

/// The median and 95th percentile of sorted `times`.
fn figures(times: Vec<Duration>) -> String {
    let millis = |at: usize| times[at].as_secs_f64() * 1000.0;
    format!("median {:>6.2} ms   p95 {:>6.2} ms", millis(times.len() / 2), millis(times.len() * 95 / 100))
}

/// Sends `count` messages to `room`, numbered from `first` (the text of
/// message n contains each query whose `every` divides n), keeping
/// [`IN_FLIGHT`] actions on their way to the writer.
async fn seed(tab: &mut Client, room: RoomId, first: usize, count: usize) {
    let mut acked = 0;
    let mut sent = 0;
    while acked < count {
        while sent < count && sent - acked < IN_FLIGHT {
            let key = tab.new_key();
            let text = message_text(first + sent);
            tab.send(&ClientFrame::Action {
                key,
                action: Action::SendMessage { room, text, reply_to: None, attachments: Vec::new() },
            })
            .await;
            sent += 1;
        }
        tab.recv_until(|frame| matches!(frame, ServerFrame::Ack { .. }).then_some(())).await;
        acked += 1;
    }
}

/// Message n: ordinary chat of a few words, with each query word whose
/// `every` divides n.
fn message_text(n: usize) -> String {
    const FILLER: [&str; 8] = [
        "see you at the station around six",
        "오늘 회의는 세 시에 시작해요",
        "did anyone read the report yet?",
        "주말에 등산 갈 사람 있어요?",
        "the build is green again, thanks",
        "커피 한 잔 하실래요",
        "I'll send the slides after this",
        "내일 비 온대요, 우산 챙기세요",
    ];
    let mut text = format!("{} #{n}", FILLER[n % FILLER.len()]);
    for (q, every, _) in QUERIES {
        if every != 0 && n.is_multiple_of(every) {
            text.push(' ');
            text.push_str(q);
        }
    }
    text
}

//! How many server frames per second the client engine digests, for chat traffic
//! and for ticker floods, next to the cost of merely decoding the same frames.
//! Prints figures; asserts nothing (machines here are shared and noisy).
//!
//! Run with `cargo bench -p hanmadi-client-core` or `cargo xtask bench`.

use std::hint::black_box;
use std::time::{Duration, Instant as WallClock};

use hanmadi_client_core::{Client, Config, Instant, Output, SocketId};
use hanmadi_protocol::{
    decode_server, encode, MessageId, RoomEvent, RoomId, Seq, ServerFrame, TickerUpdate, UserId, Version,
    PROTOCOL_VERSION,
};

const ROUNDS: usize = 5;

fn main() {
    let chat = chat_frames(50_000);
    let ticker = ticker_frames(20_000, 20);
    println!("client-core engine throughput (best of {ROUNDS} rounds)");
    report("chat messages", &chat, 1);
    report("ticker, 20 updates/frame", &ticker, 20);
}

fn report(name: &str, frames: &[String], values_per_frame: usize) {
    let decode = best_rate(frames, |frames| {
        for frame in frames {
            black_box(decode_server(frame).expect("valid"));
        }
    });
    let engine = best_rate(frames, run_engine);
    println!(
        "  {name:<26} decode only {:>10.0} frames/s | engine {:>10.0} frames/s ({:>11.0} values/s) | engine/decode {:.2}",
        decode,
        engine,
        engine * values_per_frame as f64,
        engine / decode
    );
}

/// Frames per second of the fastest round.
fn best_rate(frames: &[String], mut work: impl FnMut(&[String])) -> f64 {
    (0..ROUNDS)
        .map(|_| {
            let start = WallClock::now();
            work(frames);
            frames.len() as f64 / start.elapsed().max(Duration::from_nanos(1)).as_secs_f64()
        })
        .fold(0.0, f64::max)
}

/// A connected client fed every frame, painting the ticker once per 16 frames as
/// an animation frame would, with its outputs drained as the adapter does.
fn run_engine(frames: &[String]) {
    let mut client = Client::new(Config::new("ws://bench/ws", 1));
    let mut now = Instant::from_millis(0);
    client.track_room(now, RoomId(1), Seq::ZERO);
    client.connect(now);
    let socket = open_socket(&mut client);
    client.on_socket_open(now, socket);
    client.on_frame(now, socket, &encode(&ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: Some(UserId(1)) }));
    for (i, frame) in frames.iter().enumerate() {
        if i % 100 == 0 {
            now = Instant::from_millis(now.as_millis() + 1);
        }
        client.on_frame(now, socket, frame);
        while let Some(output) = client.poll_output() {
            black_box(output);
        }
        if i % 16 == 0 {
            black_box(client.take_ticker_frame());
        }
    }
}

fn open_socket(client: &mut Client) -> SocketId {
    while let Some(output) = client.poll_output() {
        if let Output::Open { socket, .. } = output {
            return socket;
        }
    }
    panic!("the client opened no socket")
}

fn chat_frames(count: u64) -> Vec<String> {
    (1..=count)
        .map(|i| {
            encode(&ServerFrame::Event {
                room: RoomId(1),
                seq: Seq(i),
                at: 1_790_000_000_000 + i,
                event: RoomEvent::Message {
                    id: MessageId(i),
                    author: UserId(2),
                    author_name: "Mina".into(),
                    text: "점심 뭐 먹을까요? How about noodles at the usual place?".into(),
                    reply_to: None,
                    attachments: Vec::new(),
                },
            })
        })
        .collect()
}

fn ticker_frames(count: u64, per_frame: u64) -> Vec<String> {
    (0..count)
        .map(|i| {
            let updates = (0..per_frame)
                .map(|j| TickerUpdate {
                    symbol: format!("SYM{j:02}"),
                    version: Version(i * per_frame + j + 1),
                    price: 100.0 + (i % 97) as f64 / 4.0,
                })
                .collect();
            encode(&ServerFrame::Ticker { updates })
        })
        .collect()
}

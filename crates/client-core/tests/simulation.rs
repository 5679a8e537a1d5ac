//! Property tests over random fault schedules: whatever the network and the server
//! do, once things settle every action the user made is applied exactly once and in
//! order, every room event is shown exactly once and in order, the ticker never goes
//! back, each room shows who is in it, and there are never two sockets at once.

mod sim;

use hanmadi_client_core::Status;
use proptest::collection::vec;
use proptest::prelude::*;
use sim::{Fault, World, ROOMS};

const CHAOS_MS: u64 = 120_000;
/// Long enough for the slowest recovery: a laptop that slept ten minutes, then
/// a suspended client that retries every minute.
const SETTLE_MS: u64 = 15 * 60_000;

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        3 => Just(Fault::Drop),
        2 => Just(Fault::Stall),
        2 => (100u64..60_000).prop_map(|down_ms| Fault::Restart { down_ms }),
        2 => Just(Fault::CrashAfterCommit),
        2 => Just(Fault::LoseEvent),
        2 => Just(Fault::Duplicate),
        1 => Just(Fault::Resync),
        2 => Just(Fault::StaleTick),
        1 => Just(Fault::Offline),
        1 => Just(Fault::Online),
        1 => (1_000u64..600_000).prop_map(|ms| Fault::Sleep { ms }),
        2 => Just(Fault::RateLimit),
        1 => Just(Fault::ExpireToken),
    ]
}

fn world(
    seed: u64,
    faults: &[(u64, Fault)],
    mine: &[(u64, usize)],
    theirs: &[(u64, usize)],
    visits: &[(u64, usize, usize)],
) -> World {
    let mut world = World::new(seed);
    for (at, fault) in faults {
        world.schedule_fault(*at, *fault);
    }
    for (n, (at, room)) in mine.iter().enumerate() {
        world.schedule_user_message(*at, n as u32, ROOMS[*room]);
    }
    for (at, room) in theirs {
        world.schedule_other_message(*at, ROOMS[*room]);
    }
    for (at, room, visitor) in visits {
        world.schedule_visit(*at, ROOMS[*room], *visitor);
    }
    world.schedule_ticks(250, CHAOS_MS);
    world
}

/// The chaos ends; the network heals. A live event the server failed to send is
/// noticed only when a later one arrives (or on the next reconnect), so as in any
/// lively room, Mina says one more thing in each room.
fn settle(world: &mut World) {
    world.run_until(CHAOS_MS);
    world.heal();
    for room in ROOMS {
        world.schedule_other_message(world.now.as_millis() + 60_000, room);
    }
    let end = world.now.as_millis() + SETTLE_MS;
    world.run_until(end);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn nothing_is_lost_repeated_or_reordered_whatever_the_network_does(
        seed in any::<u64>(),
        faults in vec((0..CHAOS_MS, fault()), 0..30),
        mine in vec((0..CHAOS_MS, 0..2usize), 0..40),
        theirs in vec((0..CHAOS_MS, 0..2usize), 0..40),
        visits in vec((0..CHAOS_MS, 0..2usize, 0..2usize), 0..30),
    ) {
        let mut world = world(seed, &faults, &mine, &theirs, &visits);
        settle(&mut world);

        prop_assert_eq!(world.refused_actions, 0, "the outbox has room for everything here");
        prop_assert_eq!(&world.server.applied, &world.user_keys, "each action applied once, in order");
        prop_assert!(world.client.outbox().is_empty(), "every action acknowledged: {:?}", world.client.outbox());
        for room in ROOMS {
            let shown = world.delivered.get(&room).cloned().unwrap_or_default();
            prop_assert_eq!(&shown, &world.server.log[&room], "room {} shown exactly once, in order", room);
            let present = world.shown_presence.get(&room).cloned().unwrap_or_default();
            prop_assert_eq!(present, world.server.present(room), "who is in room {}", room);
        }
        prop_assert!(!world.ticker_went_back, "a shown ticker value went back in version");
        prop_assert!(world.max_live_sockets <= 1, "two sockets were live at once");
        prop_assert_eq!(world.client.status(), &Status::Connected);
    }
}

/// One schedule that hits every fault, as a readable regression test.
#[test]
fn a_bad_afternoon_on_the_subway() {
    let faults = [
        (5_000, Fault::LoseEvent),
        (7_000, Fault::StaleTick),
        (9_000, Fault::Duplicate),
        (12_000, Fault::CrashAfterCommit),
        (20_000, Fault::Drop),
        (30_000, Fault::Stall),
        (45_000, Fault::Offline),
        (50_000, Fault::Online),
        (60_000, Fault::Restart { down_ms: 20_000 }),
        (85_000, Fault::Resync),
        (100_000, Fault::Sleep { ms: 600_000 }),
        (3_000, Fault::RateLimit),
        (59_000, Fault::ExpireToken),
    ];
    let mine: Vec<(u64, usize)> = (0..30).map(|i| (i * 3_700 + 1_000, (i % 2) as usize)).collect();
    let theirs: Vec<(u64, usize)> = (0..30).map(|i| (i * 3_900 + 500, ((i + 1) % 2) as usize)).collect();
    let visits: Vec<(u64, usize, usize)> =
        (0..20).map(|i| (i * 5_300 + 800, (i % 2) as usize, (i / 3 % 2) as usize)).collect();
    let mut world = world(7, &faults, &mine, &theirs, &visits);
    settle(&mut world);
    assert_eq!(world.server.applied, world.user_keys);
    assert_eq!(world.user_keys.len(), 30);
    for room in ROOMS {
        assert_eq!(world.delivered[&room], world.server.log[&room]);
        assert_eq!(world.shown_presence[&room], world.server.present(room));
    }
    assert!(!world.ticker_went_back);
    assert!(world.client.ticker_dropped_stale() > 0, "the stale tick was dropped");
    assert!(world.rate_limited_answers > 0, "some actions were rate-limited, and went again under their keys");
    assert!(world.server.tokens_issued > 0);
    assert_eq!(world.max_live_sockets, 1);
}

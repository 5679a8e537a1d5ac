//! What the servers' bench measures and how the table shows it: workloads 1
//! to 6 as hanmadi-load flags, the figures read from its JSON report, and the
//! targets from the issue beside Hanmadi's figures.

use serde_json::Value;

use super::table::{Row, Table};

/// Workloads 1 to 6. Every hanmadi-load run sends for 10 s, then drains for 2 s.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        title: "1 room × 100 people, 200 msg/s",
        load: &["--rooms", "1", "--people", "100", "--rate", "200"],
        relay: true,
        figures: &[
            (Figure::Deliveries, None),
            (Figure::P50, None),
            (Figure::P99, None),
            (Figure::Max, None),
            (Figure::Undelivered, None),
        ],
    },
    Workload {
        title: "1 room × 100 people, 1,000 msg/s",
        load: &["--rooms", "1", "--people", "100", "--rate", "1000"],
        relay: true,
        figures: &[
            (Figure::Deliveries, None),
            (Figure::P50, None),
            (Figure::P99, Some(Goal::AtMost(60.0))),
            (Figure::Max, None),
            (Figure::Undelivered, None),
        ],
    },
    Workload {
        title: "100 rooms × 10 people, 1,000 msg/s",
        load: &["--rooms", "100", "--people", "10", "--rate", "1000"],
        relay: true,
        figures: &[
            (Figure::Deliveries, None),
            (Figure::P50, None),
            (Figure::P99, Some(Goal::AtMost(20.0))),
            (Figure::Max, None),
            (Figure::Undelivered, None),
            (Figure::Log, None),
        ],
    },
    Workload {
        // A small window per sender keeps the target busy without queueing
        // seconds of messages, which the drain period would count as undelivered.
        title: "1 room × 100 people, saturated (4,000 msg/s offered, window 4)",
        load: &["--rooms", "1", "--people", "100", "--rate", "4000", "--window", "4"],
        relay: true,
        figures: &[
            (Figure::Deliveries, Some(Goal::RelayTimes { times: 2.0, aim: 300_000.0 })),
            (Figure::P50, None),
            (Figure::P99, None),
            (Figure::Undelivered, None),
        ],
    },
    Workload {
        title: "10,000 idle sockets (1,000 rooms × 10 people)",
        load: &["--mode", "idle", "--rooms", "1000", "--people", "10"],
        relay: true,
        figures: &[(Figure::Memory, Some(Goal::AtMost(10.0)))],
    },
    Workload {
        title: "durable writes alone (10 rooms × 10 people following none, window 8)",
        load: &["--mode", "write", "--rooms", "10", "--people", "10", "--rate", "0", "--window", "8"],
        relay: false,
        figures: &[(Figure::Acks, None), (Figure::Log, None)],
    },
];

/// Workload 7: 5 senders on node A; the 5 receivers on node A, then on node B.
pub const CROSS_NODE: &[&str] = &["--rooms", "1", "--people", "10", "--senders", "5", "--rate", "150"];
const CROSS_NODE_ADDED_P50_MS: f64 = 20.0;

/// How to read the table, printed under it.
pub const LEGEND: &[&str] = &[
    "ratio: above 1 means Hanmadi does better (rates: Hanmadi ÷ relay; latencies and memory: relay ÷ Hanmadi).",
    "latency: from send to delivery at every member, the sender included (two nodes: at the receivers only).",
    "deliveries/s: while the senders sent. undelivered: acknowledged messages (relay: sent) × the room's members,",
    "  less what had arrived 2 s after sending stopped.",
    "memory per socket: growth of the server's resident memory (VmRSS) over the idle sockets it holds.",
    "write-ahead log: SQLite's log file as the run ends, which is its largest (SQLite reuses it, never shrinks it).",
];

pub struct Workload {
    pub title: &'static str,
    /// hanmadi-load's flags besides the target's.
    pub load: &'static [&'static str],
    /// Whether the relay runs it too (it cannot acknowledge durable writes).
    pub relay: bool,
    /// What the table shows of it.
    figures: &'static [(Figure, Option<Goal>)],
}

#[derive(Clone, Copy)]
enum Figure {
    Deliveries,
    Acks,
    P50,
    P99,
    Max,
    Undelivered,
    Memory,
    /// Hanmadi's SQLite write-ahead log: it stays small only if the
    /// checkpoints copy it all, now and then.
    Log,
}

impl Figure {
    fn name(self) -> &'static str {
        match self {
            Figure::Deliveries => "deliveries/s",
            Figure::Acks => "acknowledged/s",
            Figure::P50 => "latency p50",
            Figure::P99 => "latency p99",
            Figure::Max => "latency max",
            Figure::Undelivered => "undelivered",
            Figure::Memory => "memory per socket",
            Figure::Log => "write-ahead log",
        }
    }

    /// The figure in hanmadi-load's JSON report.
    fn value(self, report: &Value) -> Option<f64> {
        match self {
            Figure::Deliveries => report["deliveries_per_sec"].as_f64(),
            Figure::Acks => report["acks_per_sec"].as_f64(),
            Figure::P50 => report["latency_ms"]["p50"].as_f64(),
            Figure::P99 => report["latency_ms"]["p99"].as_f64(),
            Figure::Max => report["latency_ms"]["max"].as_f64(),
            Figure::Undelivered => report["undelivered"].as_f64(),
            Figure::Memory => report["server_memory"]["per_socket_kib"].as_f64(),
            Figure::Log => report["write_ahead_log_mib"].as_f64(),
        }
    }

    fn show(self, value: f64) -> String {
        match self {
            Figure::Deliveries | Figure::Acks | Figure::Undelivered => thousands(value),
            Figure::P50 | Figure::P99 | Figure::Max => format!("{value:.1} ms"),
            Figure::Memory => format!("{value:.1} KiB"),
            Figure::Log => format!("{value:.1} MiB"),
        }
    }

    /// What the table shows for one target's report.
    fn cell(self, report: &anyhow::Result<Value>) -> String {
        let Ok(report) = report else {
            return "failed".into();
        };
        match (self, self.value(report)) {
            (Figure::Undelivered, Some(value)) => {
                format!("{} of {}", self.show(value), thousands(report["expected"].as_f64().unwrap_or(0.0)))
            }
            (_, Some(value)) => self.show(value),
            // The relay keeps nothing on disk.
            (Figure::Log, None) => "—".into(),
            (_, None) => "none".into(),
        }
    }

    /// Oriented so that above 1 always means Hanmadi does better; `None` for
    /// counts, which are read as they are.
    fn ratio(self, relay: f64, hanmadi: f64) -> Option<f64> {
        let (better, worse) = match self {
            Figure::Deliveries | Figure::Acks => (hanmadi, relay),
            Figure::P50 | Figure::P99 | Figure::Max | Figure::Memory => (relay, hanmadi),
            Figure::Undelivered | Figure::Log => return None,
        };
        (worse > 0.0).then(|| better / worse)
    }
}

/// A target from the issue, shown beside Hanmadi's figure.
#[derive(Clone, Copy)]
enum Goal {
    AtMost(f64),
    /// At least `times` the relay's figure, and the design's aim besides.
    RelayTimes {
        times: f64,
        aim: f64,
    },
}

impl Goal {
    fn text(self, figure: Figure, hanmadi: Option<f64>, relay: Option<f64>) -> String {
        let (text, met) = match self {
            Goal::AtMost(most) => (format!("≤ {}", figure.show(most)), hanmadi.map(|h| h <= most)),
            Goal::RelayTimes { times, aim } => (
                format!("≥ {times}× relay (aim {})", figure.show(aim)),
                hanmadi.zip(relay).map(|(h, r)| h >= times * r),
            ),
        };
        match met {
            Some(true) => format!("{text}: met"),
            Some(false) => format!("{text}: missed"),
            None => text,
        }
    }
}

/// The table's rows for one of workloads 1 to 6.
pub fn side_by_side(
    table: &mut Table,
    workload: &Workload,
    relay: Option<&anyhow::Result<Value>>,
    hanmadi: &anyhow::Result<Value>,
) {
    table.workload(workload.title);
    for (figure, goal) in workload.figures {
        let relay_value = relay.and_then(|report| figure.value(report.as_ref().ok()?));
        let hanmadi_value = hanmadi.as_ref().ok().and_then(|report| figure.value(report));
        let ratio = relay_value.zip(hanmadi_value).and_then(|(r, h)| figure.ratio(r, h));
        table.push(Row {
            figure: figure.name().into(),
            relay: relay.map_or_else(|| "—".into(), |report| figure.cell(report)),
            hanmadi: figure.cell(hanmadi),
            ratio: ratio.map_or_else(String::new, |ratio| format!("{ratio:.2}×")),
            target: goal.map_or_else(String::new, |goal| goal.text(*figure, hanmadi_value, relay_value)),
        });
    }
}

/// The table's rows for workload 7: Hanmadi's alone, since the relay has
/// no nodes to cross.
pub fn cross_node_rows(table: &mut Table, same: &anyhow::Result<Value>, across: &anyhow::Result<Value>) {
    let receivers = |report: &anyhow::Result<Value>, at: &str| -> Option<f64> {
        report.as_ref().ok()?["receiver_latency_ms"][at].as_f64()
    };
    let show = |value: Option<f64>| value.map_or_else(|| "none".into(), |ms| format!("{ms:.1} ms"));
    let added = receivers(across, "p50").zip(receivers(same, "p50")).map(|(across, same)| across - same);
    let undelivered = |report: &anyhow::Result<Value>| Figure::Undelivered.cell(report);
    let rows = [
        ("receivers' p50, all on node A", show(receivers(same, "p50")), String::new()),
        ("receivers' p50, receivers on B", show(receivers(across, "p50")), String::new()),
        ("added p50", show(added), Goal::AtMost(CROSS_NODE_ADDED_P50_MS).text(Figure::P50, added, None)),
        ("receivers' p99, all on node A", show(receivers(same, "p99")), String::new()),
        ("receivers' p99, receivers on B", show(receivers(across, "p99")), String::new()),
        ("undelivered, all on node A", undelivered(same), String::new()),
        ("undelivered, receivers on B", undelivered(across), String::new()),
    ];
    table.workload("two nodes on one PostgreSQL: 1 room × 10 people (5 sending), 150 msg/s");
    for (figure, hanmadi, target) in rows {
        table.push(Row { figure: figure.into(), relay: "—".into(), hanmadi, ratio: String::new(), target });
    }
}

/// 300000.4 → "300,000".
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if value < -0.5 {
        out.insert(0, '-');
    }
    out
}

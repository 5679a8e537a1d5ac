//! Group commit: one task applies every action of this node, taking whatever
//! has queued up since its last commit (up to [`MAX_BATCH`]) into one
//! transaction. Under load that turns a thousand small transactions a second
//! into a few dozen larger ones; when idle a lone action commits at once.
//!
//! Each action keeps its own idempotency record and outcome; acks go out only
//! after the commit, and only after the committed events were handed to the
//! delivery path, so a sender's own message reaches its mailbox before its ack.
//! Actions from one connection are applied in the order they were queued, and
//! none after one that failed (see [`Lane`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hanmadi_protocol::{Action, ActionKey};
use tokio::sync::{mpsc, oneshot};

use crate::action_budget::Admitted;
use crate::delivery::Delivery;
use crate::store::{Admission, Applied, Settled, Store, StoredEvent, Submitted, User};

/// Most actions in one transaction: bounds how long the first one waits.
const MAX_BATCH: usize = 256;
/// Actions queued before submitters wait: backpressure to the sockets.
const QUEUE: usize = 4096;

/// What a submitted action resolves to once committed (or failed).
pub type Reply = oneshot::Receiver<anyhow::Result<Settled>>;

#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
}

/// The actions of one connection, in the order queued. Once one of them fails
/// (its transaction lost its database connection, say), the connection closes
/// and its client sends all its unanswered actions again, that one first: so
/// the lane refuses every later action unapplied, or the resend would put the
/// failed one after them.
#[derive(Clone, Default)]
pub struct Lane {
    failed: Arc<AtomicBool>,
}

impl Lane {
    fn fail(&self) {
        self.failed.store(true, Ordering::Relaxed);
    }

    fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }
}

struct Job {
    lane: Lane,
    user: User,
    key: ActionKey,
    action: Action,
    admission: Admission,
    reply: oneshot::Sender<anyhow::Result<Settled>>,
}

impl Writer {
    pub fn start(store: Arc<Store>, delivery: Arc<Delivery>) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(run(jobs, store, delivery));
        Self { queue }
    }

    /// Queues an action on its connection's `lane` (waiting while the queue is
    /// full); the reply resolves once it is committed.
    pub async fn submit(&self, lane: &Lane, user: User, admitted: Admitted, action: Action) -> Reply {
        let (reply, outcome) = oneshot::channel();
        let Admitted { key, admission } = admitted;
        let job = Job { lane: lane.clone(), user, key, action, admission, reply };
        if let Err(mpsc::error::SendError(job)) = self.queue.send(job).await {
            let _ = job.reply.send(Err(anyhow::anyhow!("the writer has stopped")));
        }
        outcome
    }
}

async fn run(mut queue: mpsc::Receiver<Job>, store: Arc<Store>, delivery: Arc<Delivery>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        jobs.extract_if(.., |job| job.lane.has_failed()).for_each(refuse_behind_failure);
        if jobs.is_empty() {
            continue;
        }
        let started = std::time::Instant::now();
        let result = apply(&store, &jobs).await;
        tracing::trace!(actions = jobs.len(), took_us = started.elapsed().as_micros() as u64, "group commit");
        match result {
            Ok(applied) => finish(&delivery, jobs.drain(..), applied),
            Err(error) if jobs.len() == 1 => fail(jobs.remove(0), error),
            Err(error) => {
                // One action's failure (a lost connection, a conflict between
                // nodes) must not fail the others: each gets its own transaction.
                tracing::warn!(
                    error = format!("{error:#}"),
                    actions = jobs.len(),
                    "a group commit failed; retrying one by one"
                );
                for job in jobs.drain(..) {
                    apply_alone(&store, &delivery, job).await;
                }
            }
        }
    }
}

/// Applies one action in its own transaction, unless an earlier one of its
/// connection failed.
async fn apply_alone(store: &Store, delivery: &Delivery, job: Job) {
    if job.lane.has_failed() {
        refuse_behind_failure(job);
        return;
    }
    match apply(store, std::slice::from_ref(&job)).await {
        Ok(applied) => finish(delivery, std::iter::once(job), applied),
        Err(error) => fail(job, error),
    }
}

/// Answers a failed action, and stops its connection's later ones.
fn fail(job: Job, error: anyhow::Error) {
    job.lane.fail();
    let _ = job.reply.send(Err(error));
}

/// Answers, unapplied, an action queued behind one that failed.
fn refuse_behind_failure(job: Job) {
    let _ = job.reply.send(Err(anyhow::anyhow!("an earlier action of this connection failed")));
}

async fn apply(store: &Store, jobs: &[Job]) -> anyhow::Result<Vec<Applied>> {
    let batch: Vec<_> = jobs
        .iter()
        .map(|job| Submitted { user: &job.user, key: &job.key, action: &job.action, admission: job.admission })
        .collect();
    store.apply_batch(&batch).await
}

fn finish(delivery: &Delivery, jobs: impl Iterator<Item = Job>, mut applied: Vec<Applied>) {
    let events: Vec<StoredEvent> = applied.iter_mut().flat_map(|applied| std::mem::take(&mut applied.events)).collect();
    delivery.after_commit(&events);
    for (job, applied) in jobs.zip(applied) {
        // A socket that closed meanwhile no longer wants the answer; its client
        // gets it again by resending the key.
        let _ = job.reply.send(Ok(applied.settled));
    }
}

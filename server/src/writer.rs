//! Group commit: one task applies every action of this node, taking whatever
//! has queued up since its last commit (up to [`MAX_BATCH`]) into one
//! transaction. Under load that turns a thousand small transactions a second
//! into a few dozen larger ones; when idle a lone action commits at once.
//!
//! Each action keeps its own idempotency record and outcome; acks go out only
//! after the commit, and only after the committed events were handed to the
//! delivery path, so a sender's own message reaches its mailbox before its ack.
//! Actions from one connection are applied in the order they were queued.

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

struct Job {
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

    /// Queues an action (waiting while the queue is full); the reply resolves
    /// once it is committed.
    pub async fn submit(&self, user: User, admitted: Admitted, action: Action) -> Reply {
        let (reply, outcome) = oneshot::channel();
        let Admitted { key, admission } = admitted;
        if let Err(mpsc::error::SendError(job)) = self.queue.send(Job { user, key, action, admission, reply }).await {
            let _ = job.reply.send(Err(anyhow::anyhow!("the writer has stopped")));
        }
        outcome
    }
}

async fn run(mut queue: mpsc::Receiver<Job>, store: Arc<Store>, delivery: Arc<Delivery>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let started = std::time::Instant::now();
        let result = apply(&store, &jobs).await;
        tracing::trace!(actions = jobs.len(), took_us = started.elapsed().as_micros() as u64, "group commit");
        match result {
            Ok(applied) => finish(&delivery, jobs.drain(..), applied),
            Err(error) if jobs.len() == 1 => {
                let _ = jobs.remove(0).reply.send(Err(error));
            }
            Err(error) => {
                // One action's failure (a lost connection, a conflict between
                // nodes) must not fail the others: each gets its own transaction.
                tracing::warn!(
                    error = format!("{error:#}"),
                    actions = jobs.len(),
                    "a group commit failed; retrying one by one"
                );
                for job in jobs.drain(..) {
                    match apply(&store, std::slice::from_ref(&job)).await {
                        Ok(applied) => finish(&delivery, std::iter::once(job), applied),
                        Err(error) => {
                            let _ = job.reply.send(Err(error));
                        }
                    }
                }
            }
        }
    }
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

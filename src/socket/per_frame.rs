//! What comes from outside the page in bursts (the server's frames, the other
//! tabs' notes), handed on together once per animation frame.
//!
//! Each arrival is a browser task of its own, and each task ends with the
//! page brought up to date: a flood of live messages updated the page once
//! per message. Handed on in one task, what came within a frame is drawn once
//! (with a room's window full, 2,000 live messages went 1.6 times as fast).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

use leptos::prelude::{request_animation_frame, set_timeout};

use crate::store::page_visible;

/// Arrivals waiting for the next animation frame, and what takes them then.
pub struct PerFrame<T> {
    waiting: RefCell<Vec<T>>,
    /// Whether a hand-on is due (an animation frame, or the backstop).
    due: Cell<bool>,
    take: Box<dyn Fn(T)>,
}

/// The latest arrivals wait this long at most: animation frames stop in a
/// page hidden before its next one, and may be slowed in a page out of view.
const BACKSTOP: Duration = Duration::from_millis(250);

impl<T: 'static> PerFrame<T> {
    /// Arrivals will be handed to `take`, one at a time, in order.
    pub fn new(take: impl Fn(T) + 'static) -> Rc<Self> {
        Rc::new(PerFrame { waiting: RefCell::default(), due: Cell::new(false), take: Box::new(take) })
    }

    pub fn arrived(self: &Rc<Self>, item: T) {
        self.waiting.borrow_mut().push(item);
        if self.due.replace(true) {
            return;
        }
        // A hidden page draws nothing, so nothing is gained by waiting.
        if !page_visible() {
            return self.hand_on();
        }
        let weak = Rc::downgrade(self);
        request_animation_frame(move || hand_on(&weak));
        let weak = Rc::downgrade(self);
        set_timeout(move || hand_on(&weak), BACKSTOP);
    }

    /// Hands on every arrival waiting, in order, in this one task.
    pub fn hand_on(&self) {
        self.due.set(false);
        let waiting = std::mem::take(&mut *self.waiting.borrow_mut());
        for item in waiting {
            (self.take)(item);
        }
    }
}

/// Hands on what waits, unless its owner is gone (what waited goes with it).
fn hand_on<T: 'static>(per_frame: &Weak<PerFrame<T>>) {
    if let Some(per_frame) = per_frame.upgrade() {
        per_frame.hand_on();
    }
}

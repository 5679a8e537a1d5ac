//! The reactive parts of views, erased to one type each, so that Leptos
//! compiles their rendering once for the whole app rather than once per
//! closure.
//!
//! Leptos renders a reactive part (`{move || view! {…}}`, `<Show when=…>`,
//! `on:click=…`, an `Effect`, a `Memo`) through code made for that very
//! closure's type: its effect, its first draw, its redraw, its handler's
//! attaching, an effect's async loop. Boxed, a closure costs only its own
//! body. Measured (December 2026, brotli): `<Show>` made [`When`], 3.2 KiB
//! less; boxed handlers, 4.2 KiB; [`effect`], 2.4 KiB; [`memo`], 0.8 KiB; the
//! parts of a view drawn anew made [`redrawn`], 0.1 KiB each. Closures that
//! give an attribute's value or a text are left as they are: boxed or made
//! `Signal`s they measured no smaller, or larger.

use leptos::prelude::*;

/// A part of a view drawn anew by `draw` whenever the signals it reads change.
pub fn redrawn(draw: impl Fn() -> AnyView + Send + Sync + 'static) -> AnyView {
    redrawn_boxed(Box::new(draw))
}

fn redrawn_boxed(draw: Box<dyn Fn() -> AnyView + Send + Sync>) -> AnyView {
    (move || draw()).into_any()
}

/// Leptos's `<Show>`, compiled once: `children` while `when` holds, else
/// `fallback`.
#[component(transparent)]
pub fn When(
    when: impl Fn() -> bool + Send + Sync + 'static,
    children: ChildrenFn,
    #[prop(optional, into)] fallback: ViewFn,
) -> impl IntoView {
    shown(Box::new(when), children, fallback)
}

fn shown(when: Box<dyn Fn() -> bool + Send + Sync>, children: ChildrenFn, fallback: ViewFn) -> AnyView {
    let when = Memo::new(move |_| when());
    redrawn_boxed(Box::new(move || if when.get() { children() } else { fallback.run() }))
}

/// An event handler, boxed: Leptos compiles an element's handler anew for
/// each closure's type (its attaching, its erased copy), and once for a boxed
/// one whatever it does.
pub fn handler<E: 'static>(handle: impl FnMut(E) + 'static) -> Box<dyn FnMut(E)> {
    Box::new(handle)
}

/// Runs `run` now (once the view is built) and again whenever the signals it
/// read change: Leptos's `Effect`, boxed, as its machinery (an async loop) is
/// otherwise compiled anew for each closure's type.
pub fn effect(run: impl Fn() + 'static) {
    effect_boxed(Box::new(run));
}

fn effect_boxed(run: Box<dyn Fn()>) {
    Effect::new(move |_| run());
}

/// A value computed from signals, computed again when they change and passed
/// on only when it differs: Leptos's `Memo`, its function boxed, as it is
/// otherwise compiled anew for each closure's type.
pub fn memo<T>(compute: impl Fn() -> T + Send + Sync + 'static) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    memo_boxed(Box::new(compute))
}

fn memo_boxed<T>(compute: Box<dyn Fn() -> T + Send + Sync>) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| compute())
}

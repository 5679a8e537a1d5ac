//! Being told when an element's box changes size, whatever changed it (the
//! window, a neighbour growing, a scrollbar appearing): the browser's
//! `ResizeObserver`, which no crate wraps for Leptos, kept as long as the
//! view that asked.

use leptos::html::ElementType;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::reactive::effect;

/// Calls `resized` whenever `element`'s box changes size, before the change
/// is painted, from when it is first drawn until the view is gone; again for
/// a new element if the reference is given one.
pub fn on_resize<E>(element: NodeRef<E>, resized: impl Fn() + Clone + 'static)
where
    E: ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let watching = StoredValue::new_local(None::<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>);
    effect(move || {
        let Some(element) = element.get() else { return };
        let on_resize = Closure::<dyn FnMut()>::new(resized.clone());
        if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            observer.observe(element.unchecked_ref());
            let before = watching.try_update_value(|watching| watching.replace((observer, on_resize))).flatten();
            if let Some((before, _)) = before {
                before.disconnect();
            }
        }
    });
    on_cleanup(move || {
        watching.try_with_value(|watching| watching.as_ref().map(|(observer, _)| observer.disconnect()));
    });
}

//! A button that opens a one-field form: "New room", "Rename room", your name.
//! The field takes the focus with its starting text selected, so typing
//! replaces it; Escape (or "Cancel") closes the form and gives the focus back
//! to the button, so keyboard users never lose their place; a refused value is
//! explained under the field and the form stays open.

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::disclosure::Disclosure;
use super::reactive::{effect, handler, When};
use crate::i18n::t;

/// Handed to the submit handler: closes the form or explains a refusal, now or
/// later (after a request to the server).
#[derive(Clone, Copy)]
pub struct FormControl {
    form: Disclosure,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
}

impl FormControl {
    /// Done: closes the form and gives the focus back to the button.
    pub fn close(self) {
        self.error.set(None);
        self.busy.set(false);
        self.form.close();
    }

    /// Not accepted: says why under the field, keeping what was typed.
    pub fn refuse(self, why: String) {
        self.busy.set(false);
        self.error.set(Some(why));
    }

    /// While a request is out: the submit button waits.
    pub fn wait(self) {
        self.busy.set(true);
    }
}

/// A checkbox in a one-field form, with a line under it that says what it
/// means: one form's whole choice.
#[derive(Clone, Copy)]
pub struct Choice {
    pub checked: RwSignal<bool>,
    pub label: &'static str,
    pub hint: &'static str,
}

impl Choice {
    /// The box and its line; the line's id is made from the form's class, so
    /// two forms' lines never share one.
    fn view(self, form_class: &'static str) -> impl IntoView {
        let hint_id = format!("{form_class}-hint");
        view! {
            <label class="form-option">
                <input
                    type="checkbox"
                    aria-describedby=hint_id.clone()
                    prop:checked=move || self.checked.get()
                    on:change=handler(move |event| self.checked.set(event_target_checked(&event)))
                />
                {self.label}
            </label>
            <p id=hint_id class="option-hint">{self.hint}</p>
        }
    }
}

#[component]
pub fn OneFieldForm(
    /// The opening button's text.
    #[prop(into)]
    button_text: Signal<String>,
    /// The opening button's accessible name, when its text is not enough.
    #[prop(optional, into)]
    button_label: Option<Signal<String>>,
    #[prop(optional)] button_class: &'static str,
    /// The field's accessible name (and placeholder).
    field_label: &'static str,
    max_chars: usize,
    /// The submit button's text.
    submit_text: &'static str,
    #[prop(optional)] form_class: &'static str,
    /// What the field opens with (the current name, or nothing).
    #[prop(optional, into)]
    initial: Signal<String>,
    /// Whether the form takes the button's place (with "Cancel"), or opens
    /// beside the button, which then says whether it is open.
    #[prop(optional)]
    replaces_button: bool,
    /// A checkbox after the field ("Private", "Show Seen").
    #[prop(optional)]
    choice: Option<Choice>,
    /// Called as the form opens, to set the choice from what is kept, as the
    /// field starts from `initial`.
    #[prop(optional)]
    on_open: Option<Callback<()>>,
    /// Receives the trimmed text; closes the form or refuses through the control.
    /// A `Callback`, not a generic closure, so that the form is compiled once.
    #[prop(into)]
    on_submit: Callback<(String, FormControl)>,
) -> impl IntoView {
    let control = FormControl { form: Disclosure::new(), error: RwSignal::new(None), busy: RwSignal::new(false) };
    let draft = RwSignal::new(String::new());
    let field = NodeRef::<html::Input>::new();
    // The starting text is written into the field by the same render that
    // creates it: select it after.
    effect(move || {
        if let Some(field) = field.get() {
            request_animation_frame(move || {
                let _ = field.focus();
                field.select();
            });
        }
    });
    let toggle = move |_| {
        if !control.form.open.get_untracked() {
            if let Some(on_open) = on_open {
                on_open.run(());
            }
        }
        draft.set(initial.get_untracked());
        control.error.set(None);
        control.form.toggle();
    };
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        on_submit.run((draft.get_untracked().trim().to_owned(), control));
    };
    let button = move || {
        view! {
            <button
                type="button"
                class=button_class
                node_ref=control.form.button
                aria-label=move || button_label.map(|label| label.get())
                aria-expanded=move || (!replaces_button).then(|| control.form.open.get().to_string())
                on:click=handler(toggle)
            >
                {move || button_text.get()}
            </button>
        }
    };
    let form = move || {
        view! {
            <form
                class=form_class
                on:submit=handler(submit)
                on:keydown=handler(move |event| control.form.close_on_escape(event))
            >
                <input
                    type="text"
                    node_ref=field
                    aria-label=field_label
                    placeholder=field_label
                    maxlength=max_chars
                    prop:value=move || draft.get()
                    on:input=handler(move |event| draft.set(event_target_value(&event)))
                />
                {choice.map(|choice| choice.view(form_class))}
                <button type="submit" disabled=move || control.busy.get()>{submit_text}</button>
                {replaces_button.then(|| view! { <button type="button" on:click=handler(move |_| control.close())>{t().cancel}</button> })}
                <p class="form-error" role="alert">{move || control.error.get()}</p>
            </form>
        }
    };
    if replaces_button {
        view! { <When when=move || control.form.open.get() fallback=button>{form()}</When> }.into_any()
    } else {
        view! {
            {button()}
            <When when=move || control.form.open.get()>{form()}</When>
        }
        .into_any()
    }
}

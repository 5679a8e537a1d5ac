//! "Delete this message?": a deletion cannot be undone and everyone in the
//! room sees it, so a message's Delete asks first, as chat apps do. One
//! modal dialog (`super::modal`) per room asks for any of its messages. It
//! goes away by itself if the message is deleted meanwhile (from another tab
//! or device): there is nothing left to ask.

use hanmadi_protocol::{Action, MessageId, RoomId};
use leptos::ev::MouseEvent;
use leptos::prelude::*;

use super::modal::Modal;
use super::reactive::{effect, handler};
use crate::i18n::t;
use crate::socket::use_socket;
use crate::store::Store;

/// Asks whether to delete a message; a row's Delete finds it in context.
#[derive(Clone, Copy)]
pub struct DeleteQuestion {
    /// The message asked about while the question is open.
    message: RwSignal<Option<MessageId>>,
    modal: Modal,
}

impl DeleteQuestion {
    /// Asks about `message`; `event` is the click on its Delete.
    pub fn ask(self, message: MessageId, event: &MouseEvent) {
        self.message.set(Some(message));
        self.modal.open(event);
    }
}

/// Makes the room's question and provides it to the room's rows.
pub fn provide_delete_question() -> DeleteQuestion {
    let question = DeleteQuestion { message: RwSignal::new(None), modal: Modal::new() };
    provide_context(question);
    question
}

pub fn use_delete_question() -> DeleteQuestion {
    expect_context()
}

/// The question's dialog. Cancel comes first and takes the focus, so a key
/// pressed by mistake deletes nothing.
#[component]
pub fn DeleteQuestionDialog(room: RoomId, question: DeleteQuestion) -> impl IntoView {
    let DeleteQuestion { message, modal } = question;
    let socket = use_socket();
    let timeline = expect_context::<Store>().room(room).timeline();
    // Watched only while it asks: the room's events pass it by otherwise.
    effect(move || {
        let Some(id) = message.get() else { return };
        if timeline.with(|timeline| timeline.was_deleted(id)) {
            modal.close_done();
        }
    });
    let delete = move |_| {
        if let Some(message) = message.get_untracked() {
            // A full outbox is explained by the socket, as for any action.
            let _ = socket.act(Action::DeleteMessage { room, message });
        }
        modal.close_done();
    };
    view! {
        <dialog
            class="question"
            role="alertdialog"
            node_ref=modal.dialog
            aria-labelledby="delete-question"
            aria-describedby="delete-explained"
            on:close=handler(move |_| {
                message.set(None);
                modal.on_close();
            })
            on:pointerdown=handler(move |event| modal.on_pointerdown(&event))
            on:click=handler(move |event| modal.on_click(&event))
        >
            <div class="question-body">
                <h2 id="delete-question">{t().delete_question}</h2>
                <p id="delete-explained">{t().delete_explained}</p>
                <div class="question-buttons">
                    <button type="button" autofocus on:click=handler(move |_| modal.close())>
                        {t().cancel}
                    </button>
                    <button type="button" class="danger" on:click=handler(delete)>
                        {t().delete}
                    </button>
                </div>
            </div>
        </dialog>
    }
}

//! The app's components. Each reads the narrowest piece of the store it needs.

mod action_notices;
mod composer;
mod connection_badge;
mod disclosure;
mod first_run;
mod keyboard_shortcuts;
mod members_panel;
mod mention_notifier;
mod message_list;
mod message_row;
mod message_text;
mod one_field_form;
mod reactions;
mod room_actions;
mod room_page;
mod rooms_nav;
mod scroll_anchor;
mod tab_title;
mod ticker_panel;
mod typing_line;
mod your_name;

pub use action_notices::ActionNotices;
pub use composer::Composer;
pub use connection_badge::ConnectionBadge;
pub use first_run::FirstRun;
pub use keyboard_shortcuts::KeyboardShortcuts;
pub use members_panel::MembersPanel;
pub use mention_notifier::MentionNotifier;
pub use message_list::MessageList;
pub use message_text::MessageText;
pub use room_page::RoomPage;
pub use rooms_nav::RoomsNav;
pub use tab_title::TabTitle;
pub use ticker_panel::TickerPanel;
pub use typing_line::TypingLine;
pub use your_name::YourName;

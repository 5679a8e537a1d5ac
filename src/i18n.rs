//! English and Korean, chosen from the browser's language. Every word the page
//! shows comes from here, so the two stay in step.

use std::sync::OnceLock;

use hanmadi_protocol::attachments::UploadProblem;
use hanmadi_protocol::limits::{ProblemKind, TextField, TextProblem};
use hanmadi_protocol::{Action, RejectCode};

use crate::pending_files::UploadFailure;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

/// The words of one language.
pub struct Texts {
    pub welcome: &'static str,
    pub name_hint: &'static str,
    pub name: &'static str,
    pub enter_name: &'static str,
    pub continue_: &'static str,
    pub rooms: &'static str,
    pub other_rooms: &'static str,
    pub new_room: &'static str,
    pub room_name: &'static str,
    pub create: &'static str,
    pub cancel: &'static str,
    pub join: &'static str,
    pub pick_room: &'static str,
    pub no_such_room: &'static str,
    pub not_found: &'static str,
    pub message: &'static str,
    pub send: &'static str,
    pub sending: &'static str,
    pub not_sent: &'static str,
    pub retry: &'static str,
    pub delete: &'static str,
    pub edit: &'static str,
    pub save: &'static str,
    pub edit_message: &'static str,
    pub your_message: &'static str,
    pub deleted: &'static str,
    pub edited: &'static str,
    pub live_ticker: &'static str,
    pub online_now: &'static str,
    pub notify_mentions: &'static str,
    pub mention: &'static str,
    pub someone: &'static str,
    pub mentions_you: &'static str,
    pub connecting: &'static str,
    pub connected: &'static str,
    pub reconnecting: &'static str,
    pub offline: &'static str,
    pub suspended: &'static str,
    pub failed: &'static str,
    pub disconnected: &'static str,
    pub retry_now: &'static str,
    pub waiting_for_network: &'static str,
    pub reload_to_update: &'static str,
    pub sign_in_again: &'static str,
    pub someone_left: &'static str,
    pub waiting_actions: &'static str,
    pub sign_out: &'static str,
    pub messages_missing: &'static str,
    pub several_typing: &'static str,
    pub loading_earlier: &'static str,
    pub members: &'static str,
    pub online: &'static str,
    pub offline_members: &'static str,
    pub you: &'static str,
    pub close_members: &'static str,
    pub rename_room: &'static str,
    pub new_room_name: &'static str,
    pub rename: &'static str,
    pub leave_room: &'static str,
    pub your_name: &'static str,
    pub new_messages: &'static str,
    pub add_reaction: &'static str,
    pub dismiss: &'static str,
    pub reply: &'static str,
    pub cancel_reply: &'static str,
    pub reply_to_deleted: &'static str,
    pub reply_to_earlier: &'static str,
    pub copy_link: &'static str,
    pub link_copied: &'static str,
    pub link_not_copied: &'static str,
    pub search_messages: &'static str,
    pub search_results: &'static str,
    pub no_results: &'static str,
    pub search_failed: &'static str,
    pub formatting_help: &'static str,
    pub fmt_bold: &'static str,
    pub fmt_italic: &'static str,
    pub fmt_code: &'static str,
    pub fmt_code_block: &'static str,
    pub fmt_links: &'static str,
    pub image_viewer: &'static str,
    pub close: &'static str,
    pub download: &'static str,
    pub private: &'static str,
    pub private_hint: &'static str,
    pub private_room: &'static str,
    pub direct_messages: &'static str,
    pub copy_invite_link: &'static str,
    pub invite_link_copied: &'static str,
    pub invite_link_not_copied: &'static str,
    pub invite_link: &'static str,
    pub live_invites: &'static str,
    pub revoke: &'static str,
    pub invite_failed: &'static str,
    pub invites_unavailable: &'static str,
    pub attach_file: &'static str,
    pub attachments: &'static str,
    pub remove_attachment: &'static str,
    pub drop_files: &'static str,
    pub sends_when_uploaded: &'static str,
    pub files_not_uploaded: &'static str,
}

const EN: Texts = Texts {
    welcome: "Welcome to Hanmadi",
    name_hint: "Pick the name others will see. No account needed.",
    name: "Name",
    enter_name: "Please enter a name.",
    continue_: "Continue",
    rooms: "Rooms",
    other_rooms: "Other rooms",
    new_room: "New room",
    room_name: "Room name",
    create: "Create",
    cancel: "Cancel",
    join: "Join",
    pick_room: "Pick a room, or create one.",
    no_such_room: "There is no such room.",
    not_found: "Not found.",
    message: "Message",
    send: "Send",
    sending: "Sending…",
    not_sent: "Not sent",
    retry: "Retry",
    delete: "Delete",
    edit: "Edit",
    save: "Save",
    edit_message: "Edit message",
    your_message: "Your message",
    deleted: "This message was deleted.",
    edited: " (edited)",
    live_ticker: "Live ticker",
    online_now: "Online now",
    notify_mentions: "Notify me of mentions and direct messages",
    mention: "Mention",
    someone: "someone",
    mentions_you: "Mentions you",
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Reconnecting…",
    offline: "Offline",
    suspended: "Suspended",
    failed: "Failed",
    disconnected: "Disconnected",
    retry_now: "Retry now",
    waiting_for_network: "waiting for the network",
    reload_to_update: "reload the page to update",
    sign_in_again: "sign in again",
    someone_left: "Someone left",
    waiting_actions: "Waiting to be done",
    sign_out: "Sign out",
    formatting_help: "Formatting help",
    fmt_bold: "bold",
    fmt_italic: "italic",
    fmt_code: "code",
    fmt_code_block: "a code block, on lines of its own",
    fmt_links: "http:// and https:// addresses become links",
    private: "Private",
    private_hint: "Only people with an invite link can find and join it",
    private_room: "Private room",
    direct_messages: "Direct messages",
    copy_invite_link: "Copy invite link",
    invite_link_copied: "Invite link copied",
    invite_link_not_copied: "Couldn't copy it: select the link below and copy it",
    invite_link: "Invite link",
    live_invites: "Invite links in use",
    revoke: "Revoke",
    invite_failed: "Couldn't make an invite link; try again",
    invites_unavailable: "Couldn't load the invite links",
    messages_missing: "Some messages here could not be loaded from the server",
    several_typing: "Several people are typing…",
    loading_earlier: "Loading earlier messages…",
    members: "Members",
    online: "Online",
    offline_members: "Offline",
    you: "(you)",
    close_members: "Close members",
    rename_room: "Rename room",
    new_room_name: "New room name",
    rename: "Rename",
    leave_room: "Leave room",
    your_name: "Your name",
    new_messages: "New messages",
    add_reaction: "Add reaction",
    dismiss: "Dismiss",
    reply: "Reply",
    cancel_reply: "Cancel reply",
    reply_to_deleted: "In reply to a deleted message",
    reply_to_earlier: "In reply to an earlier message",
    copy_link: "Copy link",
    link_copied: "Link copied",
    link_not_copied: "Couldn't copy the link",
    search_messages: "Search messages",
    search_results: "Search results",
    no_results: "No messages found.",
    search_failed: "Couldn't search just now. Try again.",
    image_viewer: "Image viewer",
    close: "Close",
    download: "Download",
    attach_file: "Attach file",
    attachments: "Attachments",
    remove_attachment: "Remove attachment",
    drop_files: "Drop files here to attach them",
    sends_when_uploaded: "Sends as soon as the files are uploaded…",
    files_not_uploaded: "Some files were not uploaded: retry or remove them first.",
};

const KO: Texts = Texts {
    welcome: "한마디에 오신 것을 환영해요",
    name_hint: "다른 사람에게 보일 이름을 정하세요. 가입은 필요 없어요.",
    name: "이름",
    enter_name: "이름을 입력하세요.",
    continue_: "계속",
    rooms: "대화방",
    other_rooms: "다른 대화방",
    new_room: "새 대화방",
    room_name: "대화방 이름",
    create: "만들기",
    cancel: "취소",
    join: "참여",
    pick_room: "대화방을 고르거나 새로 만드세요.",
    no_such_room: "그런 대화방은 없어요.",
    not_found: "찾을 수 없어요.",
    message: "메시지",
    send: "보내기",
    sending: "보내는 중…",
    not_sent: "보내지 못함",
    retry: "다시 시도",
    delete: "삭제",
    edit: "수정",
    save: "저장",
    edit_message: "메시지 수정",
    your_message: "내 메시지",
    deleted: "삭제된 메시지예요.",
    edited: " (수정됨)",
    live_ticker: "실시간 시세",
    online_now: "접속 중",
    notify_mentions: "나를 부르거나 1:1 대화가 오면 알림 받기",
    mention: "멘션",
    someone: "알 수 없는 사람",
    mentions_you: "나를 부른 메시지",
    connecting: "연결 중…",
    connected: "연결됨",
    reconnecting: "다시 연결 중…",
    offline: "오프라인",
    suspended: "연결 보류",
    failed: "연결 실패",
    disconnected: "연결 끊김",
    retry_now: "지금 다시 시도",
    waiting_for_network: "네트워크를 기다리는 중",
    reload_to_update: "페이지를 새로 고쳐 업데이트하세요",
    sign_in_again: "다시 로그인하세요",
    someone_left: "누군가 나갔어요",
    waiting_actions: "처리를 기다리는 작업",
    sign_out: "로그아웃",
    formatting_help: "서식 도움말",
    fmt_bold: "굵게",
    fmt_italic: "기울임",
    fmt_code: "코드",
    fmt_code_block: "여러 줄 코드 (따로 줄을 두어)",
    fmt_links: "http://, https:// 주소는 링크가 돼요",
    private: "비공개",
    private_hint: "초대 링크를 받은 사람만 찾고 참여할 수 있어요",
    private_room: "비공개 대화방",
    direct_messages: "1:1 대화",
    copy_invite_link: "초대 링크 복사",
    invite_link_copied: "초대 링크를 복사했어요",
    invite_link_not_copied: "복사하지 못했어요. 아래 링크를 선택해서 복사해 주세요",
    invite_link: "초대 링크",
    live_invites: "사용 중인 초대 링크",
    revoke: "취소",
    invite_failed: "초대 링크를 만들지 못했어요. 다시 해 주세요",
    invites_unavailable: "초대 링크를 불러오지 못했어요",
    messages_missing: "여기에 있던 메시지 일부를 서버에서 불러오지 못했어요",
    several_typing: "여러 명이 입력 중…",
    loading_earlier: "이전 메시지를 불러오는 중…",
    members: "멤버",
    online: "접속 중",
    offline_members: "오프라인",
    you: "(나)",
    close_members: "멤버 목록 닫기",
    rename_room: "대화방 이름 바꾸기",
    new_room_name: "새 대화방 이름",
    rename: "바꾸기",
    leave_room: "대화방 나가기",
    your_name: "내 이름",
    new_messages: "새 메시지",
    add_reaction: "반응 남기기",
    dismiss: "닫기",
    reply: "답장",
    cancel_reply: "답장 취소",
    reply_to_deleted: "삭제된 메시지에 대한 답장",
    reply_to_earlier: "이전 메시지에 대한 답장",
    copy_link: "링크 복사",
    link_copied: "링크를 복사했어요",
    link_not_copied: "링크를 복사하지 못했어요",
    search_messages: "메시지 검색",
    search_results: "검색 결과",
    no_results: "찾은 메시지가 없어요.",
    search_failed: "지금은 검색할 수 없어요. 다시 해 보세요.",
    image_viewer: "이미지 보기",
    close: "닫기",
    download: "다운로드",
    attach_file: "파일 첨부",
    attachments: "첨부 파일",
    remove_attachment: "첨부 파일 빼기",
    drop_files: "여기에 놓으면 파일이 첨부돼요",
    sends_when_uploaded: "파일을 다 올리면 바로 보내요…",
    files_not_uploaded: "올리지 못한 파일이 있어요. 먼저 다시 시도하거나 빼 주세요.",
};

/// The page's language: Korean if the browser prefers it, English otherwise.
pub fn lang() -> Lang {
    static LANG: OnceLock<Lang> = OnceLock::new();
    *LANG.get_or_init(|| {
        let preferred = web_sys::window().and_then(|window| window.navigator().language()).unwrap_or_default();
        Lang::from_tag(&preferred)
    })
}

/// The words of the page's language.
pub fn t() -> &'static Texts {
    lang().texts()
}

impl Lang {
    /// From a BCP 47 tag such as `ko-KR` or `en-US`.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("ko") {
            Lang::Ko
        } else {
            Lang::En
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Ko => &KO,
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// "Mina is typing…", "Mina and Jun are typing…", "Several people are typing…".
    pub fn typing(self, names: &[String]) -> String {
        match (self, names) {
            (_, []) => String::new(),
            (Lang::En, [one]) => format!("{one} is typing…"),
            (Lang::En, [one, two]) => format!("{one} and {two} are typing…"),
            (Lang::Ko, [one]) => format!("{one} 님이 입력 중…"),
            (Lang::Ko, [one, two]) => format!("{one} 님과 {two} 님이 입력 중…"),
            _ => self.texts().several_typing.to_owned(),
        }
    }

    pub fn reconnect_in(self, seconds: u64, attempt: u32) -> String {
        match self {
            Lang::En => format!("in {seconds} s · attempt {attempt}"),
            Lang::Ko => format!("{seconds}초 후 · {attempt}번째 시도"),
        }
    }

    pub fn attempt(self, attempt: u32) -> String {
        match self {
            Lang::En => format!("attempt {attempt}"),
            Lang::Ko => format!("{attempt}번째 시도"),
        }
    }

    pub fn next_try_in(self, seconds: u64) -> String {
        match self {
            Lang::En => format!("next try in {seconds} s"),
            Lang::Ko => format!("{seconds}초 후 다시 시도"),
        }
    }

    /// An action still waiting that nothing else on the page shows; `room` is
    /// the name of the room it is about.
    pub fn waiting(self, action: &Action, room: &str) -> String {
        match (self, action) {
            (Lang::En, Action::CreateRoom { name, .. }) => format!("Creating “{name}”…"),
            (Lang::En, Action::JoinRoom { .. }) => format!("Joining “{room}”…"),
            (Lang::En, Action::JoinWithInvite { .. }) => "Joining with the invite…".to_owned(),
            (Lang::En, Action::OpenDirect { .. }) => "Opening the conversation…".to_owned(),
            (Lang::En, Action::LeaveRoom { .. }) => format!("Leaving “{room}”…"),
            (Lang::En, Action::RenameRoom { name, .. }) => format!("Renaming “{room}” to “{name}”…"),
            (Lang::En, Action::SendMessage { .. }) => "Sending your message…".to_owned(),
            (Lang::En, Action::EditMessage { .. }) => "Saving your edit…".to_owned(),
            (Lang::En, Action::DeleteMessage { .. }) => "Deleting your message…".to_owned(),
            (Lang::En, Action::AddReaction { .. } | Action::RemoveReaction { .. }) => {
                "Changing your reaction…".to_owned()
            }
            (Lang::Ko, Action::CreateRoom { name, .. }) => format!("“{name}” 대화방을 만드는 중…"),
            (Lang::Ko, Action::JoinRoom { .. }) => format!("“{room}” 대화방에 참여하는 중…"),
            (Lang::Ko, Action::JoinWithInvite { .. }) => "초대 링크로 참여하는 중…".to_owned(),
            (Lang::Ko, Action::OpenDirect { .. }) => "대화를 여는 중…".to_owned(),
            (Lang::Ko, Action::LeaveRoom { .. }) => format!("“{room}” 대화방을 나가는 중…"),
            (Lang::Ko, Action::RenameRoom { name, .. }) => format!("“{room}” 이름을 “{name}”(으)로 바꾸는 중…"),
            (Lang::Ko, Action::SendMessage { .. }) => "메시지를 보내는 중…".to_owned(),
            (Lang::Ko, Action::EditMessage { .. }) => "수정한 내용을 저장하는 중…".to_owned(),
            (Lang::Ko, Action::DeleteMessage { .. }) => "메시지를 삭제하는 중…".to_owned(),
            (Lang::Ko, Action::AddReaction { .. } | Action::RemoveReaction { .. }) => "반응을 바꾸는 중…".to_owned(),
        }
    }

    /// A "Join" button, named after its room for screen readers.
    pub fn join_room(self, room: &str) -> String {
        match self {
            Lang::En => format!("Join {room}"),
            Lang::Ko => format!("{room} 참여"),
        }
    }

    /// Asked before signing out drops what has not been sent.
    pub fn sign_out_drops(self, waiting: usize) -> String {
        match (self, waiting) {
            (Lang::En, 1) => "1 action has not been sent yet and will be lost. Sign out anyway?".to_owned(),
            (Lang::En, n) => format!("{n} actions have not been sent yet and will be lost. Sign out anyway?"),
            (Lang::Ko, n) => format!("아직 보내지 못한 작업 {n}개가 사라져요. 그래도 로그아웃할까요?"),
        }
    }

    /// Why a new action was not taken: the outbox is full.
    pub fn outbox_full(self, capacity: usize) -> String {
        match self {
            Lang::En => format!("{capacity} actions are already waiting to be sent; try again once some have gone out"),
            Lang::Ko => format!("보낼 작업 {capacity}개가 이미 기다리고 있어요. 일부가 보내진 뒤에 다시 해 주세요"),
        }
    }

    /// A refused action that nothing else on the page shows.
    pub fn not_done(self, action: &Action, reason: &str) -> String {
        let what = match (self, action) {
            (Lang::En, Action::CreateRoom { .. }) => "Couldn't create the room",
            (Lang::En, Action::JoinRoom { .. }) => "Couldn't join the room",
            (Lang::En, Action::JoinWithInvite { .. }) => "Couldn't join with the invite",
            (Lang::En, Action::OpenDirect { .. }) => "Couldn't open the conversation",
            (Lang::En, Action::LeaveRoom { .. }) => "Couldn't leave the room",
            (Lang::En, Action::RenameRoom { .. }) => "Couldn't rename the room",
            (Lang::En, Action::SendMessage { .. }) => "Couldn't send the message",
            (Lang::En, Action::EditMessage { .. }) => "Couldn't edit the message",
            (Lang::En, Action::DeleteMessage { .. }) => "Couldn't delete the message",
            (Lang::En, Action::AddReaction { .. } | Action::RemoveReaction { .. }) => "Couldn't change the reaction",
            (Lang::Ko, Action::CreateRoom { .. }) => "대화방을 만들지 못했어요",
            (Lang::Ko, Action::JoinRoom { .. }) => "대화방에 참여하지 못했어요",
            (Lang::Ko, Action::JoinWithInvite { .. }) => "초대 링크로 참여하지 못했어요",
            (Lang::Ko, Action::OpenDirect { .. }) => "대화를 열지 못했어요",
            (Lang::Ko, Action::LeaveRoom { .. }) => "대화방을 나가지 못했어요",
            (Lang::Ko, Action::RenameRoom { .. }) => "대화방 이름을 바꾸지 못했어요",
            (Lang::Ko, Action::SendMessage { .. }) => "메시지를 보내지 못했어요",
            (Lang::Ko, Action::EditMessage { .. }) => "메시지를 수정하지 못했어요",
            (Lang::Ko, Action::DeleteMessage { .. }) => "메시지를 삭제하지 못했어요",
            (Lang::Ko, Action::AddReaction { .. } | Action::RemoveReaction { .. }) => "반응을 바꾸지 못했어요",
        };
        format!("{what}: {reason}")
    }

    /// What is wrong with a message or a name, found by the shared check in
    /// the app or by the server (with the same check). The English is the
    /// protocol's own sentence, the one other clients and the logs show.
    pub fn text_problem(self, problem: &TextProblem) -> String {
        if self == Lang::En {
            return problem.to_string();
        }
        // Korean particles follow the noun's last syllable: 이름이, 메시지가.
        let (subject, topic, within) = match problem.field {
            TextField::Message => ("메시지가", "메시지는", "메시지에"),
            TextField::RoomName => ("대화방 이름이", "대화방 이름은", "대화방 이름에"),
            TextField::DisplayName => ("이름이", "이름은", "이름에"),
        };
        match problem.kind {
            ProblemKind::Empty => format!("{subject} 비어 있어요"),
            ProblemKind::TooLong { chars, max } => format!("{topic} {max}자까지 쓸 수 있어요 (지금 {chars}자)"),
            ProblemKind::ControlCharacter { code_point } => {
                format!("{within} 쓸 수 없는 제어 문자(U+{code_point:04X})가 있어요")
            }
            ProblemKind::DirectionControl { code_point } => {
                format!("{within} 글자 방향을 바꾸는 문자(U+{code_point:04X})가 있어요")
            }
            ProblemKind::Invisible => format!("{within} 보이는 글자가 없어요"),
        }
    }

    /// Why the server refused something: in the page's language when it said
    /// what was wrong with a name or text, else in its own words.
    pub fn why_refused(self, reason: &str, problem: Option<&TextProblem>) -> String {
        problem.map_or_else(|| reason.to_owned(), |problem| self.text_problem(problem))
    }

    /// Why the server refused one of our actions, from its code: in the page's
    /// language (English keeps the server's own, more precise sentence).
    pub fn action_refused(
        self,
        action: &Action,
        code: RejectCode,
        reason: &str,
        problem: Option<&TextProblem>,
    ) -> String {
        if let Some(problem) = problem {
            return self.text_problem(problem);
        }
        let about_a_message = matches!(
            action,
            Action::SendMessage { .. }
                | Action::EditMessage { .. }
                | Action::DeleteMessage { .. }
                | Action::AddReaction { .. }
                | Action::RemoveReaction { .. }
        );
        let changing_a_message = matches!(action, Action::EditMessage { .. } | Action::DeleteMessage { .. });
        match (self, code) {
            (Lang::En, _) => reason.to_owned(),
            (Lang::Ko, RejectCode::NotFound) if about_a_message && !matches!(action, Action::SendMessage { .. }) => {
                "그 메시지는 삭제되었거나 없어요".to_owned()
            }
            (Lang::Ko, RejectCode::NotFound) if matches!(action, Action::JoinWithInvite { .. }) => {
                "초대 링크가 취소되었거나 없어요".to_owned()
            }
            (Lang::Ko, RejectCode::NotFound) => "그 대화방은 없어요".to_owned(),
            (Lang::Ko, RejectCode::Forbidden) if changing_a_message => "쓴 사람만 바꿀 수 있어요".to_owned(),
            (Lang::Ko, RejectCode::Forbidden) => "먼저 대화방에 참여해 주세요".to_owned(),
            (Lang::Ko, RejectCode::RateLimited) => "너무 빨라요. 잠시 뒤에 다시 보내요".to_owned(),
            (Lang::Ko, RejectCode::Invalid) => "서버가 받아들이지 않았어요".to_owned(),
        }
    }

    pub fn refused(self, reason: &str) -> String {
        match self {
            Lang::En => format!("refused: {reason}"),
            Lang::Ko => format!("거부됨: {reason}"),
        }
    }

    pub fn jump_to_latest(self, new: usize) -> String {
        match self {
            Lang::En => format!("Jump to latest ({new} new)"),
            Lang::Ko => format!("최신 메시지로 ({new}개 새로 옴)"),
        }
    }

    /// The header's button with your name, which opens the form to change it.
    pub fn your_name_is(self, name: &str) -> String {
        match self {
            Lang::En => format!("Your name: {name}"),
            Lang::Ko => format!("내 이름: {name}"),
        }
    }

    /// A reaction chip: "👍 2, including you".
    pub fn reaction(self, emoji: &str, count: usize, yours: bool) -> String {
        match (self, yours) {
            (Lang::En, true) => format!("{emoji} {count}, including you"),
            (Lang::En, false) => format!("{emoji} {count}"),
            (Lang::Ko, true) => format!("{emoji} {count}명, 나 포함"),
            (Lang::Ko, false) => format!("{emoji} {count}명"),
        }
    }

    /// One emoji of the reaction picker.
    pub fn react_with(self, emoji: &str) -> String {
        match self {
            Lang::En => format!("React with {emoji}"),
            Lang::Ko => format!("{emoji} 반응"),
        }
    }

    /// The button that opens the members panel.
    pub fn members_button(self, count: usize) -> String {
        match self {
            Lang::En => format!("Members ({count})"),
            Lang::Ko => format!("멤버 ({count})"),
        }
    }

    /// Above the oldest message of a room.
    pub fn beginning_of(self, room: &str) -> String {
        match self {
            Lang::En => format!("This is the beginning of {room}."),
            Lang::Ko => format!("{room} 대화방의 처음이에요."),
        }
    }

    pub fn unread(self, count: u32) -> String {
        match self {
            Lang::En => format!("{count} unread"),
            Lang::Ko => format!("안 읽음 {count}개"),
        }
    }

    /// The rooms list's count of unread messages that mention you.
    pub fn mentions(self, count: u32) -> String {
        match (self, count) {
            (Lang::En, 1) => "1 mention".to_owned(),
            (Lang::En, _) => format!("{count} mentions"),
            (Lang::Ko, _) => format!("멘션 {count}개"),
        }
    }

    pub fn here(self, names: &[&str]) -> String {
        match (self, names) {
            (_, []) => String::new(),
            (Lang::En, [one]) => format!("{one} is here"),
            (Lang::Ko, [one]) => format!("{one} 님이 있어요"),
            (Lang::En, many) => format!("{} here: {}", many.len(), many.join(", ")),
            (Lang::Ko, many) => format!("{}명: {}", many.len(), many.join(", ")),
        }
    }

    /// Above the composer while answering someone's message.
    pub fn replying_to(self, author: &str) -> String {
        match self {
            Lang::En => format!("Replying to {author}"),
            Lang::Ko => format!("{author}님에게 답장 중"),
        }
    }

    /// Said when search results arrive; `more` when only the newest are shown.
    pub fn found(self, count: usize, more: bool) -> String {
        match (self, more) {
            (Lang::En, false) => format!("{count} {} found", if count == 1 { "message" } else { "messages" }),
            (Lang::En, true) => format!("The newest {count} messages found"),
            (Lang::Ko, false) => format!("메시지 {count}개를 찾았어요"),
            (Lang::Ko, true) => format!("찾은 메시지 중 최근 {count}개"),
        }
    }

    /// A search result, as a screen reader says it.
    pub fn search_hit(self, author: &str, room: &str, time: &str, text: &str) -> String {
        match self {
            Lang::En => format!("{author} in {room}, {time}: {text}"),
            Lang::Ko => format!("{room}, {author}, {time}: {text}"),
        }
    }

    /// The quote above a reply, as a screen reader says it (a link to the original).
    pub fn in_reply_to(self, author: &str, text: &str) -> String {
        match self {
            Lang::En => format!("In reply to {author}: {text}"),
            Lang::Ko => format!("{author}님 메시지에 대한 답장: {text}"),
        }
    }

    pub fn at_time(self, author: &str, time: &str) -> String {
        match self {
            Lang::En => format!("{author} at {time}"),
            Lang::Ko => format!("{author}, {time}"),
        }
    }

    pub fn mentioned_by(self, author: &str) -> String {
        match self {
            Lang::En => format!("{author} mentioned you"),
            Lang::Ko => format!("{author} 님이 나를 불렀어요"),
        }
    }

    pub fn room_created(self, name: &str) -> String {
        match self {
            Lang::En => format!("Room “{name}” was created"),
            Lang::Ko => format!("“{name}” 대화방이 만들어졌어요"),
        }
    }

    pub fn joined(self, name: &str) -> String {
        match self {
            Lang::En => format!("{name} joined"),
            Lang::Ko => format!("{name} 님이 들어왔어요"),
        }
    }

    /// A file's size as people read it: bytes below a kibibyte, then KB, MB
    /// and GB (of 1024), with one decimal below ten ("1.5 MB", "12 MB").
    /// Integer arithmetic only: the wasm carries no float formatter.
    pub fn file_size(self, bytes: u64) -> String {
        if bytes < 1024 {
            return match (self, bytes) {
                (Lang::En, 1) => "1 byte".to_owned(),
                (Lang::En, _) => format!("{bytes} bytes"),
                (Lang::Ko, _) => format!("{bytes}바이트"),
            };
        }
        // Tenths of a unit, rounded.
        let tenths = |divisor: u64| bytes.saturating_mul(10).saturating_add(divisor / 2) / divisor;
        let (mut divisor, mut unit) = (1024u64, "KB");
        for larger in ["MB", "GB"] {
            // A size that would round up to 1024 of a unit is shown in the next.
            if tenths(divisor) < 10_235 {
                break;
            }
            (divisor, unit) = (divisor * 1024, larger);
        }
        match tenths(divisor) {
            whole if whole >= 100 => format!("{} {unit}", (whole + 5) / 10),
            exact if exact % 10 == 0 => format!("{} {unit}", exact / 10),
            tenths => format!("{}.{} {unit}", tenths / 10, tenths % 10),
        }
    }

    /// A file's download link, named for screen readers ("Download report.pdf").
    pub fn download_file(self, name: &str) -> String {
        match self {
            Lang::En => format!("Download {name}"),
            Lang::Ko => format!("{name} 다운로드"),
        }
    }

    /// A "Message" button in the members panel, named after its person.
    pub fn message_person(self, name: &str) -> String {
        match self {
            Lang::En => format!("Message {name}"),
            Lang::Ko => format!("{name} 님에게 메시지"),
        }
    }

    /// A live invite link: who made it, and when.
    pub fn invite_made(self, name: &str, time: &str) -> String {
        match self {
            Lang::En => format!("Made by {name}, {time}"),
            Lang::Ko => format!("{name} 님이 만듦, {time}"),
        }
    }

    /// Its "Revoke" button, named after the link for a screen reader.
    pub fn revoke_invite(self, made: &str) -> String {
        match self {
            Lang::En => format!("Revoke the invite link: {made}"),
            Lang::Ko => format!("초대 링크 취소: {made}"),
        }
    }

    /// A file's progress bar, named for screen readers.
    pub fn uploading(self, name: &str) -> String {
        match self {
            Lang::En => format!("Uploading {name}"),
            Lang::Ko => format!("{name} 올리는 중"),
        }
    }

    /// Why a file was not uploaded: worded here from the server's code, with
    /// its numbers ("File is too large (max 10 MB)").
    pub fn upload_failure(self, failure: &UploadFailure) -> String {
        let size = |bytes| self.file_size(bytes);
        match (self, failure) {
            (Lang::En, UploadFailure::Refused(UploadProblem::FileTooLarge { max })) => {
                format!("File is too large (max {})", size(*max))
            }
            (Lang::Ko, UploadFailure::Refused(UploadProblem::FileTooLarge { max })) => {
                format!("파일이 너무 커요 (최대 {})", size(*max))
            }
            (Lang::En, UploadFailure::Refused(UploadProblem::QuotaExceeded { used, max })) => {
                format!("Your files already take {} of your {}: delete some to upload more", size(*used), size(*max))
            }
            (Lang::Ko, UploadFailure::Refused(UploadProblem::QuotaExceeded { used, max })) => {
                format!(
                    "내 파일이 이미 {} 중 {}를 쓰고 있어요. 일부를 지워야 더 올릴 수 있어요",
                    size(*max),
                    size(*used)
                )
            }
            (Lang::En, UploadFailure::Refused(UploadProblem::TooManyUploads { per_minute, retry_after })) => {
                format!("Too many uploads (at most {per_minute} a minute): try again in {retry_after} s")
            }
            (Lang::Ko, UploadFailure::Refused(UploadProblem::TooManyUploads { per_minute, retry_after })) => {
                format!("업로드가 너무 많아요 (1분에 {per_minute}개까지). {retry_after}초 뒤에 다시 해 주세요")
            }
            (Lang::En, UploadFailure::Other(reason)) => format!("Couldn't upload: {reason}"),
            (Lang::Ko, UploadFailure::Other(reason)) => format!("올리지 못했어요: {reason}"),
            (Lang::En, UploadFailure::Unreachable) => "Couldn't upload: the server can't be reached".to_owned(),
            (Lang::Ko, UploadFailure::Unreachable) => "서버에 연결할 수 없어 올리지 못했어요".to_owned(),
        }
    }

    /// More files were picked than one message may carry.
    /// A message with files refused for later: the files waiting to be sent
    /// already take `waiting` of the `max` the browser keeps for them.
    pub fn parcels_full(self, waiting: u64, max: u64) -> String {
        let (waiting, max) = (self.file_size(waiting), self.file_size(max));
        match self {
            Lang::En => format!(
                "Files waiting to be sent may take {max} in all, and {waiting} already wait; send these once online"
            ),
            Lang::Ko => format!(
                "보내기를 기다리는 파일은 모두 {max}까지예요. 이미 {waiting}가 기다리고 있으니 온라인일 때 보내 주세요"
            ),
        }
    }

    pub fn too_many_files(self, max: usize) -> String {
        match self {
            Lang::En => format!("A message can carry at most {max} files"),
            Lang::Ko => format!("메시지 하나에 파일은 {max}개까지 보낼 수 있어요"),
        }
    }

    pub fn renamed(self, name: &str) -> String {
        match self {
            Lang::En => format!("The room was renamed to “{name}”"),
            Lang::Ko => format!("대화방 이름이 “{name}”(으)로 바뀌었어요"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hanmadi_protocol::{MessageId, RoomId};

    #[test]
    fn korean_browsers_get_korean_and_everyone_else_english() {
        assert_eq!(Lang::from_tag("ko-KR"), Lang::Ko);
        assert_eq!(Lang::from_tag("ko"), Lang::Ko);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag("ja-JP"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }

    /// Every problem the shared checks can find, in every field. A new kind
    /// must be added here: the match below stops compiling until it is.
    fn every_problem() -> Vec<TextProblem> {
        let kinds = [
            ProblemKind::Empty,
            ProblemKind::TooLong { chars: 81, max: 80 },
            ProblemKind::ControlCharacter { code_point: 0x07 },
            ProblemKind::DirectionControl { code_point: 0x202E },
            ProblemKind::Invisible,
        ];
        for kind in kinds {
            match kind {
                ProblemKind::Empty
                | ProblemKind::TooLong { .. }
                | ProblemKind::ControlCharacter { .. }
                | ProblemKind::DirectionControl { .. }
                | ProblemKind::Invisible => {}
            }
        }
        let fields = [TextField::Message, TextField::RoomName, TextField::DisplayName];
        fields.into_iter().flat_map(|field| kinds.map(|kind| TextProblem { field, kind })).collect()
    }

    #[test]
    fn every_text_problem_is_worded_in_korean_too() {
        for problem in every_problem() {
            let (en, ko) = (Lang::En.text_problem(&problem), Lang::Ko.text_problem(&problem));
            assert_eq!(en, problem.to_string(), "English is the protocol's sentence");
            assert!(!ko.is_empty() && ko != en, "{problem:?} has no Korean: {ko}");
            assert!(ko.chars().any(|c| ('가'..='힣').contains(&c)), "{problem:?} in Korean: {ko}");
        }
        let too_long = TextProblem { field: TextField::RoomName, kind: ProblemKind::TooLong { chars: 81, max: 80 } };
        assert_eq!(Lang::Ko.text_problem(&too_long), "대화방 이름은 80자까지 쓸 수 있어요 (지금 81자)");
        let invisible = TextProblem { field: TextField::DisplayName, kind: ProblemKind::Invisible };
        assert_eq!(Lang::Ko.text_problem(&invisible), "이름에 보이는 글자가 없어요");
    }

    #[test]
    fn a_refused_action_is_worded_in_korean_from_its_code() {
        let react = Action::AddReaction { room: RoomId(1), message: MessageId(2), emoji: "👍".into() };
        let edit = Action::EditMessage { room: RoomId(1), message: MessageId(2), text: "x".into() };
        let join = Action::JoinRoom { room: RoomId(9) };
        let deleted = "that message was deleted";
        assert_eq!(Lang::En.action_refused(&react, RejectCode::NotFound, deleted, None), deleted);
        assert_eq!(
            Lang::Ko.action_refused(&react, RejectCode::NotFound, deleted, None),
            "그 메시지는 삭제되었거나 없어요"
        );
        assert_eq!(
            Lang::Ko.action_refused(&join, RejectCode::NotFound, "there is no room 9", None),
            "그 대화방은 없어요"
        );
        let forbidden = |action| Lang::Ko.action_refused(action, RejectCode::Forbidden, "no", None);
        assert_eq!(forbidden(&edit), "쓴 사람만 바꿀 수 있어요");
        assert_eq!(forbidden(&react), "먼저 대화방에 참여해 주세요");
        for code in [RejectCode::Invalid, RejectCode::NotFound, RejectCode::Forbidden, RejectCode::RateLimited] {
            let worded = Lang::Ko.action_refused(&join, code, "the server's English", None);
            assert!(worded.chars().any(|c| ('가'..='힣').contains(&c)), "{code:?}: {worded}");
        }
    }

    #[test]
    fn a_refusal_with_a_problem_is_worded_here_and_one_without_keeps_the_servers_words() {
        let empty = TextProblem { field: TextField::Message, kind: ProblemKind::Empty };
        assert_eq!(Lang::Ko.why_refused("the message is empty", Some(&empty)), "메시지가 비어 있어요");
        assert_eq!(Lang::Ko.why_refused("that message was deleted", None), "that message was deleted");
    }

    #[test]
    fn file_sizes_read_as_people_say_them() {
        let sizes = |lang: Lang| {
            [0, 1, 1023, 1024, 1536, 10 * 1024 - 1, 10 * 1024, 1_048_575, 10 * 1024 * 1024, 9_437_184, 3 << 30]
                .map(|bytes| lang.file_size(bytes))
        };
        assert_eq!(
            sizes(Lang::En),
            ["0 bytes", "1 byte", "1023 bytes", "1 KB", "1.5 KB", "10 KB", "10 KB", "1 MB", "10 MB", "9 MB", "3 GB"]
        );
        assert_eq!(sizes(Lang::Ko)[..3], ["0바이트", "1바이트", "1023바이트"]);
        assert_eq!(Lang::Ko.file_size(1536), "1.5 KB");
        assert_eq!(Lang::En.file_size(1_023_949), "1000 KB");
        assert_eq!(Lang::En.file_size(2_621_440), "2.5 MB");
        assert!(Lang::En.file_size(u64::MAX).ends_with(" GB"), "no overflow");
    }

    #[test]
    fn upload_refusals_are_worded_from_their_codes_in_both_languages() {
        let too_large = UploadFailure::Refused(UploadProblem::FileTooLarge { max: 10 << 20 });
        assert_eq!(Lang::En.upload_failure(&too_large), "File is too large (max 10 MB)");
        assert_eq!(Lang::Ko.upload_failure(&too_large), "파일이 너무 커요 (최대 10 MB)");
        let quota = UploadFailure::Refused(UploadProblem::QuotaExceeded { used: 195 << 20, max: 200 << 20 });
        assert_eq!(
            Lang::En.upload_failure(&quota),
            "Your files already take 195 MB of your 200 MB: delete some to upload more"
        );
        assert_eq!(
            Lang::Ko.upload_failure(&quota),
            "내 파일이 이미 200 MB 중 195 MB를 쓰고 있어요. 일부를 지워야 더 올릴 수 있어요"
        );
        let busy = UploadFailure::Refused(UploadProblem::TooManyUploads { per_minute: 30, retry_after: 12 });
        assert_eq!(Lang::En.upload_failure(&busy), "Too many uploads (at most 30 a minute): try again in 12 s");
        assert_eq!(Lang::Ko.upload_failure(&busy), "업로드가 너무 많아요 (1분에 30개까지). 12초 뒤에 다시 해 주세요");
        let other = UploadFailure::Other("the file did not arrive in time".into());
        assert_eq!(Lang::En.upload_failure(&other), "Couldn't upload: the file did not arrive in time");
        for failure in [too_large, quota, busy, other, UploadFailure::Unreachable] {
            let ko = Lang::Ko.upload_failure(&failure);
            assert!(ko.chars().any(|c| ('가'..='힣').contains(&c)), "{failure:?} in Korean: {ko}");
        }
        assert_eq!(Lang::En.too_many_files(10), "A message can carry at most 10 files");
    }

    #[test]
    fn typing_reads_naturally_in_both_languages() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(Lang::En.typing(&names(&[])), "");
        assert_eq!(Lang::En.typing(&names(&["Mina"])), "Mina is typing…");
        assert_eq!(Lang::En.typing(&names(&["Mina", "Jun"])), "Mina and Jun are typing…");
        assert_eq!(Lang::En.typing(&names(&["Mina", "Jun", "Seo"])), "Several people are typing…");
        assert_eq!(Lang::Ko.typing(&names(&["미나"])), "미나 님이 입력 중…");
        assert_eq!(Lang::Ko.typing(&names(&["미나", "준", "서"])), "여러 명이 입력 중…");
    }
}

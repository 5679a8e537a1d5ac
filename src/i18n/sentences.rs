//! Sentences made from what is happening: who is typing, what waits to be
//! sent, counts, names and sizes, each worded for its language.

use hanmadi_protocol::Action;

use super::Lang;
use crate::cut_short::cut_short;
use crate::unsent::Kind;

/// How many people a reaction's "reacted with" names before counting the rest.
const NAMED_REACTORS: usize = 4;

/// See [`Lang::last_message`].
const LAST_MESSAGE_CHARS: usize = 80;

impl Lang {
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

    /// How many are in a room looked into before joining.
    pub fn member_count(self, count: usize) -> String {
        match (self, count) {
            (Lang::En, 1) => "1 member".to_owned(),
            (Lang::En, _) => format!("{count} members"),
            (Lang::Ko, _) => format!("멤버 {count}명"),
        }
    }

    /// The messages of a room looked into before joining, named for screen readers.
    pub fn preview_of(self, room: &str) -> String {
        match self {
            Lang::En => format!("What was said in {room}"),
            Lang::Ko => format!("{room} 대화방의 최근 메시지"),
        }
    }

    /// Where the composer would be, in a room looked into before joining.
    pub fn looking_in(self, room: &str) -> String {
        match self {
            Lang::En => format!("You're looking in on {room}. Join it to take part."),
            Lang::Ko => format!("{room} 대화방을 둘러보고 있어요. 참여하면 함께 대화할 수 있어요."),
        }
    }

    /// Said before signing out: what has not been sent would be lost.
    pub fn sign_out_drops(self, waiting: usize) -> String {
        match (self, waiting) {
            (Lang::En, 1) => "1 action has not been sent yet and will be lost.".to_owned(),
            (Lang::En, n) => format!("{n} actions have not been sent yet and will be lost."),
            (Lang::Ko, n) => format!("아직 보내지 못한 작업 {n}개가 사라져요."),
        }
    }

    /// What unsent words were for, where, and the files that were to go
    /// with them (`crate::unsent`): "Message in hike · files not sent: route.txt".
    pub fn unsent_about(self, kind: Kind, room: &str, files: &str) -> String {
        let texts = self.texts();
        let what = match kind {
            Kind::Message => texts.unsent_message,
            Kind::Edit => texts.unsent_edit,
            Kind::Draft => texts.unsent_draft,
        };
        let about = match self {
            Lang::En => format!("{what} in {room}"),
            Lang::Ko => format!("{room}: {what}"),
        };
        if files.is_empty() {
            return about;
        }
        format!("{about} · {}: {files}", texts.files_not_sent)
    }

    /// Actions with no words that an ended session did not send.
    pub fn unsent_others(self, count: usize) -> String {
        match (self, count) {
            (Lang::En, 1) => {
                "1 other action was not sent either (a reaction, a deletion, or a room created, renamed, joined or \
                 left)."
                    .to_owned()
            }
            (Lang::En, n) => format!(
                "{n} other actions were not sent either (reactions, deletions, rooms created, renamed, joined or left)."
            ),
            (Lang::Ko, n) => {
                format!("그 밖의 작업 {n}건(반응, 삭제, 대화방 만들기·이름 바꾸기·참여·나가기)도 보내지 못했어요.")
            }
        }
    }

    /// With `new` messages arrived below, or none (reading far back).
    pub fn jump_to_latest(self, new: usize) -> String {
        match (self, new) {
            (Lang::En, 0) => "Jump to latest".to_owned(),
            (Lang::En, _) => format!("Jump to latest ({new} new)"),
            (Lang::Ko, 0) => "최신 메시지로".to_owned(),
            (Lang::Ko, _) => format!("최신 메시지로 ({new}개 새로 옴)"),
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

    /// Who reacted with a chip's emoji, shown over it: "You, Jun and Sora
    /// reacted with 👍". Past [`NAMED_REACTORS`] people, the rest are counted.
    pub fn reacted_by(self, emoji: &str, others: &[String], yours: bool) -> String {
        let you = yours.then_some(match self {
            Lang::En => "You",
            Lang::Ko => "나",
        });
        let mut who: Vec<&str> = you.into_iter().chain(others.iter().map(String::as_str)).collect();
        let more = who.len().saturating_sub(NAMED_REACTORS);
        who.truncate(NAMED_REACTORS);
        match self {
            Lang::En => {
                let who = match (who.split_last(), more) {
                    (Some((last, [])), 0) => (*last).to_owned(),
                    (Some((last, rest)), 0) => format!("{} and {last}", rest.join(", ")),
                    (_, more) => format!("{} and {more} more", who.join(", ")),
                };
                format!("{who} reacted with {emoji}")
            }
            Lang::Ko if more == 0 => format!("{emoji} 반응: {}", who.join(", ")),
            Lang::Ko => format!("{emoji} 반응: {} 외 {more}명", who.join(", ")),
        }
    }

    /// Over the sign-in screen an invite link opened.
    pub fn invited_to(self, by: &str, room: &str) -> String {
        match self {
            Lang::En => format!("{by} invited you to “{room}”. Choose a name to join it."),
            Lang::Ko => format!("{by} 님이 “{room}” 대화방에 초대했어요. 이름을 정하면 바로 참여할 수 있어요."),
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

    /// Above the oldest message of a direct conversation, named after the
    /// other person.
    pub fn beginning_with(self, person: &str) -> String {
        match self {
            Lang::En => format!("This is the beginning of your conversation with {person}."),
            Lang::Ko => format!("{person} 님과의 대화가 여기서 시작돼요."),
        }
    }

    pub fn unread(self, count: u32) -> String {
        match self {
            Lang::En => format!("{count} unread"),
            Lang::Ko => format!("안 읽음 {count}개"),
        }
    }

    /// A room's newest message under its name in the rooms list: `text` as
    /// plain text on one line, its first [`LAST_MESSAGE_CHARS`] characters
    /// (all a line shows, and all a screen reader reads with the link), who
    /// said it before it (see [`SaidBy`]), and its files by the first one's
    /// name when it says nothing else.
    pub fn last_message(self, by: SaidBy<'_>, text: &str, files: u32, first_file: Option<&str>) -> String {
        let text = cut_short(&text.split_whitespace().collect::<Vec<_>>().join(" "), LAST_MESSAGE_CHARS);
        let said = match (text.is_empty(), first_file) {
            (true, Some(first)) if files > 1 => match self {
                Lang::En => format!("📎 {first} and {} more", files - 1),
                Lang::Ko => format!("📎 {first} 외 {}개", files - 1),
            },
            (true, Some(first)) => format!("📎 {first}"),
            (false, Some(_)) => format!("📎 {text}"),
            (_, None) => text,
        };
        let who = match (self, by) {
            (_, SaidBy::Unnamed) => return said,
            (_, SaidBy::Named(name)) => name,
            (Lang::En, SaidBy::You) => "You",
            (Lang::Ko, SaidBy::You) => "나",
        };
        format!("{who}: {said}")
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

    pub fn left(self, name: &str) -> String {
        match self {
            Lang::En => format!("{name} left"),
            Lang::Ko => format!("{name} 님이 나갔어요"),
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

    pub fn renamed(self, name: &str) -> String {
        match self {
            Lang::En => format!("The room was renamed to “{name}”"),
            Lang::Ko => format!("대화방 이름이 “{name}”(으)로 바뀌었어요"),
        }
    }
}

/// Who said a room's newest message, as the rooms list names them.
#[derive(Debug, Clone, Copy)]
pub enum SaidBy<'a> {
    /// "You: …".
    You,
    /// No one named, the words alone: the other person of a direct
    /// conversation, which bears their name already (or the author of a
    /// list kept from before names came with it).
    Unnamed,
    /// Someone in a group room: "Jun: …".
    Named(&'a str),
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_room_s_newest_message_reads_on_one_line_in_both_languages() {
        use SaidBy::{Named, Unnamed, You};
        assert_eq!(Lang::En.last_message(Unnamed, "Dinner\n  at 7?", 0, None), "Dinner at 7?");
        assert_eq!(Lang::En.last_message(You, "Sure", 0, None), "You: Sure");
        assert_eq!(Lang::Ko.last_message(You, "좋아", 0, None), "나: 좋아");
        assert_eq!(Lang::En.last_message(Named("Jun"), "see you\tat 7", 0, None), "Jun: see you at 7");
        assert_eq!(Lang::Ko.last_message(Named("준"), "좋아", 0, None), "준: 좋아");
        assert_eq!(Lang::En.last_message(Unnamed, "", 1, Some("forest.jpg")), "📎 forest.jpg");
        assert_eq!(Lang::En.last_message(You, " ", 3, Some("a.pdf")), "You: 📎 a.pdf and 2 more");
        assert_eq!(Lang::Ko.last_message(Unnamed, "", 2, Some("숲.jpg")), "📎 숲.jpg 외 1개");
        assert_eq!(Lang::En.last_message(Named("Jun"), "the lake", 2, Some("lake.jpg")), "Jun: 📎 the lake");
        let long = "가".repeat(LAST_MESSAGE_CHARS + 1);
        let shown = Lang::Ko.last_message(Unnamed, &long, 0, None);
        assert_eq!((shown.chars().count(), shown.ends_with("가…")), (LAST_MESSAGE_CHARS + 1, true));
        assert_eq!(Lang::Ko.last_message(Unnamed, &long[3..], 0, None), long[3..], "one that fits is whole");
    }

    #[test]
    fn who_reacted_reads_naturally_in_both_languages() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(Lang::En.reacted_by("👍", &[], true), "You reacted with 👍");
        assert_eq!(Lang::En.reacted_by("👍", &names(&["Jun"]), false), "Jun reacted with 👍");
        assert_eq!(Lang::En.reacted_by("👍", &names(&["Jun", "Sora"]), true), "You, Jun and Sora reacted with 👍");
        assert_eq!(
            Lang::En.reacted_by("👍", &names(&["Jun", "Sora", "Seo", "Ha", "Bo"]), true),
            "You, Jun, Sora, Seo and 2 more reacted with 👍"
        );
        assert_eq!(Lang::Ko.reacted_by("👍", &names(&["준"]), true), "👍 반응: 나, 준");
        assert_eq!(
            Lang::Ko.reacted_by("👍", &names(&["준", "소라", "서", "하", "보"]), false),
            "👍 반응: 준, 소라, 서, 하 외 1명"
        );
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

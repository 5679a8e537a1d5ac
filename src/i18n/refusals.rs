//! Why something was not done, in the page's language: from the server's
//! codes and numbers where it sends them, so the Korean page never shows
//! English.

use hanmadi_protocol::attachments::UploadProblem;
use hanmadi_protocol::http::ApiError;
use hanmadi_protocol::limits::{ProblemKind, TextField, TextProblem};
use hanmadi_protocol::{Action, RejectCode};

use super::Lang;
use crate::pending_files::UploadFailure;
use crate::session::SessionRefused;

impl Lang {
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

    /// Why a name or settings were not taken (signing in, renaming,
    /// choosing): in the page's
    /// language, but for a refusal the server gave no code for, which keeps
    /// its own words.
    pub fn session_refused(self, refused: &SessionRefused) -> String {
        match (self, refused) {
            (_, SessionRefused::Refused(ApiError { problem: Some(problem), .. })) => self.text_problem(problem),
            (_, SessionRefused::Refused(refused)) => refused.error.clone(),
            (Lang::En, SessionRefused::Unreachable) => {
                "Can't reach the server: check the connection and try again".into()
            }
            (Lang::Ko, SessionRefused::Unreachable) => "서버에 연결할 수 없어요. 연결을 확인하고 다시 해 주세요".into(),
            (Lang::En, SessionRefused::TooMany { seconds }) => {
                format!("Too many tries from here: try again in {seconds} s")
            }
            (Lang::Ko, SessionRefused::TooMany { seconds }) => {
                format!("여기서 너무 자주 시도했어요. {seconds}초 뒤에 다시 해 주세요")
            }
            (Lang::En, SessionRefused::ServerFault) => "The server ran into a problem: try again in a moment".into(),
            (Lang::Ko, SessionRefused::ServerFault) => "서버에 문제가 생겼어요. 잠시 뒤에 다시 해 주세요".into(),
        }
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
            // Its room, a file it carries or the message it answers.
            (Lang::Ko, RejectCode::NotFound) if matches!(action, Action::SendMessage { .. }) => {
                "대화방이나 첨부 파일, 답장할 메시지를 찾을 수 없어요".to_owned()
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
            // The server's words are English: not worth showing in Korean.
            (Lang::Ko, UploadFailure::Other(_)) => "올리지 못했어요. 다시 해 주세요".to_owned(),
            (Lang::En, UploadFailure::Unreachable) => "Couldn't upload: the server can't be reached".to_owned(),
            (Lang::Ko, UploadFailure::Unreachable) => "서버에 연결할 수 없어 올리지 못했어요".to_owned(),
        }
    }

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

    /// More files were picked than one message may carry.
    pub fn too_many_files(self, max: usize) -> String {
        match self {
            Lang::En => format!("A message can carry at most {max} files"),
            Lang::Ko => format!("메시지 하나에 파일은 {max}개까지 보낼 수 있어요"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hanmadi_protocol::{MessageId, RoomId};

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
        let send = Action::SendMessage { room: RoomId(1), text: "x".into(), reply_to: None, attachments: Vec::new() };
        assert_eq!(
            Lang::Ko.action_refused(&send, RejectCode::NotFound, "you have no attachment 4", None),
            "대화방이나 첨부 파일, 답장할 메시지를 찾을 수 없어요",
            "not only a room"
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
    fn a_session_refused_is_worded_here_and_a_refusal_without_a_code_keeps_the_servers_words() {
        let empty = TextProblem { field: TextField::DisplayName, kind: ProblemKind::Empty };
        let refused = SessionRefused::Refused(ApiError::from(empty));
        assert_eq!(Lang::Ko.session_refused(&refused), "이름이 비어 있어요");
        assert_eq!(Lang::En.session_refused(&refused), "the name is empty");
        let uncoded = SessionRefused::Refused(ApiError::from("the session token is invalid"));
        assert_eq!(Lang::Ko.session_refused(&uncoded), "the session token is invalid");
        for refused in
            [SessionRefused::Unreachable, SessionRefused::TooMany { seconds: 30 }, SessionRefused::ServerFault]
        {
            let worded = Lang::Ko.session_refused(&refused);
            assert!(worded.chars().any(|c| ('가'..='힣').contains(&c)), "{refused:?}: {worded}");
            assert!(Lang::En.session_refused(&refused).is_ascii(), "{refused:?}");
        }
        assert_eq!(
            Lang::En.session_refused(&SessionRefused::TooMany { seconds: 30 }),
            "Too many tries from here: try again in 30 s"
        );
        assert!(Lang::Ko.session_refused(&SessionRefused::TooMany { seconds: 30 }).contains("30초"));
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
        let no_code = UploadFailure::Other("the server answered 504".into());
        for failure in [too_large, quota, busy, other, no_code, UploadFailure::Unreachable] {
            let ko = Lang::Ko.upload_failure(&failure);
            assert!(ko.chars().any(|c| ('가'..='힣').contains(&c)), "{failure:?} in Korean: {ko}");
            assert!(!ko.replace("MB", "").chars().any(|c| c.is_ascii_alphabetic()), "no English: {ko}");
        }
        assert_eq!(Lang::En.too_many_files(10), "A message can carry at most 10 files");
    }
}

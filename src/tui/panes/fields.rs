//! The keys of the fields of every form the panes open, and the closed choices those forms
//! offer. Panes read submitted forms by these keys and typed choices, never by Korean label or
//! option text.

use super::super::widgets::form::{Choice, Form};
use crate::timeline::export::Format;

/// A field of one of the panes' forms. Forms that ask the same thing share a key (`File`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    // Intake (접수) and its duplicate question.
    Name,
    BirthDate,
    Sex,
    Rrn,
    Phone,
    Dong,
    Address,
    Household,
    OpenCase,
    DuplicateAnswer,
    Existing,
    // Search filter (읍면동 is `Dong`).
    Stage,
    Flag,
    Category,
    Worker,
    // Timeline: add, correct, change stage, refer, referral status, export.
    EntryKind,
    Body,
    Due,
    Attendees,
    CrisisScores,
    CorrectionMode,
    StageReason,
    ClosureReason,
    Referral,
    ReferralStatus,
    Note,
    Format,
    Contacts,
    /// The 서식 of an HWPX/HTML export (`paper::Form`).
    PaperForm,
    // Files: exports, imports, sync bundles.
    File,
    ImportTarget,
    Encoding,
    Peer,
    Passphrase,
    PassphraseAgain,
    Encryption,
    ConfirmPlain,
    TrustNew,
    // Audit review filters (operator is `Worker`, resident is `Name`).
    AuditAction,
    Since,
    // Teamwork (#16): 결재 step, 동의 scopes and dates, 인계 target, consent override.
    ApprovalStep,
    ConsentCollect,
    ConsentThirdParty,
    ConsentSensitive,
    ConsentOn,
    ConsentExpires,
    Paper,
    HandoverTo,
    ConsentOverride,
    HandoverScope,
    /// 이관: the explicit yes before a case goes to a partner site.
    TransferConfirm,
    // 발굴 queue: the outcome of a row (the note is `Note`).
    Outcome,
    // 방문 계획: day, time, 목적.
    VisitDate,
    VisitTime,
    Purpose,
    // Shared-folder sync: the folder, how often, plain bundles without a peer key.
    Folder,
    FolderEvery,
    FolderPlain,
}

/// Every form a pane opens.
pub type PaneForm = Form<FieldId>;

macro_rules! choice {
    ($(#[$m:meta])* $name:ident { $( $variant:ident => $label:literal ),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $( $variant ),+ }

        impl Choice for $name {
            fn all() -> &'static [$name] {
                &[ $( $name::$variant ),+ ]
            }
            fn label(self) -> &'static str {
                match self { $( $name::$variant => $label ),+ }
            }
        }
    };
}

choice!(
    /// Intake: open a case for the new resident, or only register them.
    IntakeCase { Open => "사례 열기", ResidentOnly => "주민만 등록" }
);
choice!(
    /// Intake: the answer to "likely duplicates".
    DuplicateAnswer { Cancel => "취소", OpenExisting => "기존 주민 열기", Register => "그래도 등록" }
);
choice!(
    /// Correcting an entry: new text, or void it.
    CorrectionMode { Correct => "내용 고침", Void => "무효 처리" }
);
choice!(
    /// Case export: contacts masked, or shown in full (audited).
    ContactDisplay { Masked => "가림", Full => "전체 표시 (감사 기록)" }
);
choice!(
    /// What an import file holds.
    ImportTarget { Resources => "자원 목록", Residents => "주민 명단" }
);
choice!(
    /// The encoding of an import file.
    ImportEncoding { Auto => "auto", Cp949 => "cp949", Utf8 => "utf-8" }
);
choice!(
    /// 동의: whether a scope is part of the consent.
    YesNo { No => "아니요", Yes => "예" }
);
choice!(
    /// Sync import: a bundle from a site seen for the first time.
    TrustNew { Refuse => "거부", Trust => "신뢰하고 가져오기" }
);

impl ImportEncoding {
    /// The importer's setting.
    pub fn encoding(self) -> crate::resources::import::EncodingChoice {
        use crate::resources::import::EncodingChoice;
        match self {
            ImportEncoding::Auto => EncodingChoice::Auto,
            ImportEncoding::Cp949 => EncodingChoice::Fixed(encoding_rs::EUC_KR),
            ImportEncoding::Utf8 => EncodingChoice::Fixed(encoding_rs::UTF_8),
        }
    }
}

impl Choice for crate::model::Outcome {
    fn all() -> &'static [crate::model::Outcome] {
        &crate::model::Outcome::ALL
    }
    fn label(self) -> &'static str {
        crate::model::Outcome::label(self)
    }
}

impl Choice for Format {
    fn all() -> &'static [Format] {
        &[Format::Md, Format::Csv, Format::Json]
    }
    fn label(self) -> &'static str {
        self.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::import::EncodingChoice;

    /// The typed encodings are the ones the old option texts parsed to.
    #[test]
    fn import_encodings_match_their_labels() {
        for e in ImportEncoding::all() {
            assert_eq!(EncodingChoice::parse(e.label()), Some(e.encoding()));
        }
    }

    #[test]
    fn export_formats_round_trip_their_codes() {
        for f in Format::all() {
            assert_eq!(Format::parse(f.label()), Some(*f));
        }
    }
}

//! The one `Action` enum: everything a key, the palette or the app loop can ask for.
//!
//! Every action has a stable kebab-case name (used in keymap files, serde and `FromStr`), a Korean
//! label (palette, help) and an English label (palette search, `keymap --print`). Every action
//! can be bound to a key; events that are not user commands (a resize, a finished background job)
//! reach the app as messages of the event loop, not as actions. Actions carry no data, so they are
//! `Copy`.

use std::fmt;
use std::str::FromStr;

macro_rules! actions {
    ( $( $variant:ident = $name:literal, $ko:literal, $en:literal; )* ) => {
        /// Something the user wants done. See the module docs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $(
                #[doc = concat!($ko, " (", $en, ")")]
                $variant,
            )*
        }

        impl Action {
            /// Every action, in declaration order (the palette's list).
            pub const ALL: &'static [Action] = &[ $( Action::$variant, )* ];

            /// The stable kebab-case name used in keymap files.
            pub fn name(self) -> &'static str {
                match self { $( Action::$variant => $name, )* }
            }

            /// Korean label for the palette and the help overlay.
            pub fn label_ko(self) -> &'static str {
                match self { $( Action::$variant => $ko, )* }
            }

            /// English label (also searched by the palette).
            pub fn label_en(self) -> &'static str {
                match self { $( Action::$variant => $en, )* }
            }
        }
    };
}

actions! {
    // Application
    Quit = "quit", "종료", "Quit";
    Help = "help", "도움말 (키 목록)", "Help (key list)";
    CommandPalette = "command-palette", "명령 팔레트", "Command palette";
    ToggleTheme = "toggle-theme", "테마 바꾸기 (고대비)", "Toggle theme (high contrast)";
    Refresh = "refresh", "새로 고침", "Refresh";
    // Panes
    PaneSearch = "pane-search", "주민 검색 화면", "Resident search pane";
    PaneTimeline = "pane-timeline", "사례 타임라인 화면", "Case timeline pane";
    PaneResources = "pane-resources", "자원 목록 화면", "Resource directory pane";
    PaneToday = "pane-today", "오늘 할 일 화면", "Today pane";
    SyncScreen = "sync-screen", "동기화 화면", "Sync screen";
    AuditLog = "audit-log", "감사 로그 (관리자)", "Audit log (admin)";
    NextPane = "next-pane", "다음 화면", "Next pane";
    PrevPane = "prev-pane", "이전 화면", "Previous pane";
    // Movement
    Up = "up", "위로", "Move up";
    Down = "down", "아래로", "Move down";
    Left = "left", "왼쪽", "Move left";
    Right = "right", "오른쪽", "Move right";
    PageUp = "page-up", "한 쪽 위로", "Page up";
    PageDown = "page-down", "한 쪽 아래로", "Page down";
    HalfPageUp = "half-page-up", "반 쪽 위로", "Half page up";
    HalfPageDown = "half-page-down", "반 쪽 아래로", "Half page down";
    Top = "top", "맨 위로", "Go to top";
    Bottom = "bottom", "맨 아래로", "Go to bottom";
    Select = "select", "선택 / 열기", "Select / open";
    Back = "back", "뒤로 / 닫기", "Back / close";
    ToggleFocus = "toggle-focus", "목록과 옆 창 사이 이동", "Switch focus between panels";
    Detail = "detail", "상세 보기", "Show detail";
    // Search and filters
    FocusSearch = "focus-search", "검색어 입력", "Focus search";
    SearchNext = "search-next", "다음 검색 결과", "Next match";
    SearchPrev = "search-prev", "이전 검색 결과", "Previous match";
    ClearQuery = "clear-query", "검색어 지우기", "Clear query";
    Filter = "filter", "필터 설정", "Set filters";
    ClearFilter = "clear-filter", "필터 해제", "Clear filters";
    ToggleMine = "toggle-mine", "내 사례만 보기", "Only my cases";
    NewIntake = "new-intake", "새 접수 (주민 등록)", "New intake";
    // Case timeline
    CaseList = "case-list", "사례 목록", "Case list";
    AddEntry = "add-entry", "기록 추가", "Add entry";
    CorrectEntry = "correct-entry", "기록 정정", "Correct entry";
    ChangeStage = "change-stage", "단계 변경", "Change stage";
    CloseCase = "close-case", "사례 종결", "Close case";
    ReopenCase = "reopen-case", "사례 재개", "Reopen case";
    Refer = "refer", "자원 연계 (의뢰)", "Refer to a resource";
    ReferralStatus = "referral-status", "연계 상태 변경", "Change referral status";
    FilterKind = "filter-kind", "기록 종류로 거르기", "Filter by entry kind";
    ToggleOrder = "toggle-order", "최신순/오래된순", "Toggle newest/oldest first";
    ShowHistory = "show-history", "정정 이력 보기", "Show correction history";
    Export = "export", "내보내기", "Export";
    OpenExport = "open-export", "내보낸 인쇄용 서식 열기", "Open the exported print file";
    // Today
    ToggleScope = "toggle-scope", "내 것/전체 보기", "Mine / everyone";
    Stats = "stats", "통계 (월별 실적 차트)", "Statistics (monthly figures)";
    // Resources and imports
    NextCategory = "next-category", "다음 분류", "Next category";
    PrevCategory = "prev-category", "이전 분류", "Previous category";
    Import = "import", "가져오기", "Import";
    // Sync
    SyncExport = "sync-export", "동기화 묶음 내보내기", "Export sync bundle";
    SyncImport = "sync-import", "동기화 묶음 가져오기", "Import sync bundle";
    ShowConflicts = "show-conflicts", "충돌 검토", "Review conflicts";
    KeepCurrent = "keep-current", "현재 값 유지", "Keep current value";
    RestoreOther = "restore-other", "다른 값으로 복원", "Restore other value";
    SyncFolder = "sync-folder", "공유 폴더 설정", "Shared folder setting";
    // Forms and text input
    NextField = "next-field", "다음 칸", "Next field";
    PrevField = "prev-field", "이전 칸", "Previous field";
    Submit = "submit", "저장", "Submit";
    Cancel = "cancel", "취소", "Cancel";
    DeleteChar = "delete-char", "앞 글자 지우기", "Delete previous character";
    DeleteForward = "delete-forward", "뒤 글자 지우기", "Delete next character";
    LineStart = "line-start", "줄 처음으로", "Start of line";
    LineEnd = "line-end", "줄 끝으로", "End of line";
    ClearField = "clear-field", "칸 비우기", "Clear field";
    NewLine = "new-line", "줄 바꿈", "New line";
    Confirm = "confirm", "예", "Yes / confirm";
    Deny = "deny", "아니요", "No / deny";
    // The daily loop (#12): open a case for a known resident, edit a resident, follow-ups, undo
    OpenCase = "open-case", "사례 열기 (기존 주민)", "Open a case for this resident";
    EditResident = "edit-resident", "주민 정보 수정", "Edit resident";
    FollowUpDone = "follow-up-done", "후속 일정 완료", "Mark follow-up done";
    Reschedule = "reschedule", "후속 일정 변경", "Reschedule follow-up";
    Undo = "undo", "방금 한 변경 되돌리기", "Undo the last change";
    // Teamwork (#16): 결재, 동의, 인계
    RequestApproval = "request-approval", "결재 요청", "Request approval";
    Approve = "approve", "결재 승인 (팀장)", "Approve (lead)";
    ReturnApproval = "return-approval", "결재 반려 (팀장, 의견 필수)", "Return with a comment (lead)";
    RecordConsent = "record-consent", "동의 기록", "Record consent";
    WithdrawConsent = "withdraw-consent", "동의 철회", "Withdraw consent";
    Handover = "handover", "인계 (담당자 바꾸기)", "Hand over to another worker";
    ToggleMark = "toggle-mark", "사례 표시 (여러 개 인계)", "Mark a case (bulk handover)";
    TransferCase = "transfer-case", "이관 (협력 기관으로 보내기)", "Transfer the case to a partner site";
    // #16 발굴 queue
    Discovery = "discovery", "발굴 대상 목록", "Discovery queue";
    SetOutcome = "set-outcome", "발굴 처리 결과 입력", "Set discovery outcome";
    // #16 방문 계획
    PlanVisit = "plan-visit", "방문 계획 (날짜·시간·목적)", "Plan a visit";
    Visits = "visits", "방문 계획 주간 보기", "Planned visits (week view)";
    PrevWeek = "prev-week", "지난주", "Previous week";
    NextWeek = "next-week", "다음 주", "Next week";
    Print = "print", "인쇄용 파일(HTML)로 저장", "Save a print file (HTML)";
}

/// The name is not any action's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("알 수 없는 동작 \"{0}\"")]
pub struct UnknownAction(pub String);

impl FromStr for Action {
    type Err = UnknownAction;

    fn from_str(s: &str) -> Result<Action, UnknownAction> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.name() == s)
            .ok_or_else(|| UnknownAction(s.to_string()))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Action, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for a in Action::ALL {
            let n = a.name();
            assert!(seen.insert(n), "duplicate name {n}");
            assert!(
                n.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{n} is not kebab-case"
            );
            assert!(!a.label_ko().is_empty() && !a.label_en().is_empty());
        }
    }
}

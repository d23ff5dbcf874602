//! The one `Action` enum: everything a key, the palette or the app loop can ask for.
//!
//! Every action has a stable kebab-case name (used in keymap files, serde and `FromStr`), a Korean
//! label (palette, help) and an English label (palette search, `keymap --print`). Internal actions
//! (`tick`, `resize`, `render`, …) are sent by the app loop itself and cannot be bound to keys.
//! Actions carry no data, so they are `Copy`; data that arrives with an internal action (a new size,
//! loaded rows) is read by `update` from the terminal or the worker channel.

use std::fmt;
use std::str::FromStr;

/// Whether a key may be bound to the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bindable,
    Internal,
}

macro_rules! actions {
    ( $( $variant:ident = $name:literal, $kind:ident, $ko:literal, $en:literal; )* ) => {
        /// Something the user (or the app loop) wants done. See the module docs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $(
                #[doc = concat!($ko, " (", $en, ")")]
                $variant,
            )*
        }

        impl Action {
            /// Every action, bindable and internal, in declaration order.
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

            fn kind(self) -> Kind {
                match self { $( Action::$variant => Kind::$kind, )* }
            }
        }
    };
}

actions! {
    // Application
    Quit = "quit", Bindable, "종료", "Quit";
    Help = "help", Bindable, "도움말 (키 목록)", "Help (key list)";
    CommandPalette = "command-palette", Bindable, "명령 팔레트", "Command palette";
    ToggleTheme = "toggle-theme", Bindable, "테마 바꾸기 (고대비)", "Toggle theme (high contrast)";
    Refresh = "refresh", Bindable, "새로 고침", "Refresh";
    // Panes
    PaneSearch = "pane-search", Bindable, "주민 검색 화면", "Resident search pane";
    PaneTimeline = "pane-timeline", Bindable, "사례 타임라인 화면", "Case timeline pane";
    PaneResources = "pane-resources", Bindable, "자원 목록 화면", "Resource directory pane";
    PaneToday = "pane-today", Bindable, "오늘 할 일 화면", "Today pane";
    SyncScreen = "sync-screen", Bindable, "동기화 화면", "Sync screen";
    AuditLog = "audit-log", Bindable, "감사 로그 (관리자)", "Audit log (admin)";
    NextPane = "next-pane", Bindable, "다음 화면", "Next pane";
    PrevPane = "prev-pane", Bindable, "이전 화면", "Previous pane";
    // Movement
    Up = "up", Bindable, "위로", "Move up";
    Down = "down", Bindable, "아래로", "Move down";
    Left = "left", Bindable, "왼쪽", "Move left";
    Right = "right", Bindable, "오른쪽", "Move right";
    PageUp = "page-up", Bindable, "한 쪽 위로", "Page up";
    PageDown = "page-down", Bindable, "한 쪽 아래로", "Page down";
    HalfPageUp = "half-page-up", Bindable, "반 쪽 위로", "Half page up";
    HalfPageDown = "half-page-down", Bindable, "반 쪽 아래로", "Half page down";
    Top = "top", Bindable, "맨 위로", "Go to top";
    Bottom = "bottom", Bindable, "맨 아래로", "Go to bottom";
    Select = "select", Bindable, "선택 / 열기", "Select / open";
    Back = "back", Bindable, "뒤로 / 닫기", "Back / close";
    ToggleFocus = "toggle-focus", Bindable, "목록과 옆 창 사이 이동", "Switch focus between panels";
    Detail = "detail", Bindable, "상세 보기", "Show detail";
    // Search and filters
    FocusSearch = "focus-search", Bindable, "검색어 입력", "Focus search";
    SearchNext = "search-next", Bindable, "다음 검색 결과", "Next match";
    SearchPrev = "search-prev", Bindable, "이전 검색 결과", "Previous match";
    ClearQuery = "clear-query", Bindable, "검색어 지우기", "Clear query";
    Filter = "filter", Bindable, "필터 설정", "Set filters";
    ClearFilter = "clear-filter", Bindable, "필터 해제", "Clear filters";
    ToggleMine = "toggle-mine", Bindable, "내 사례만 보기", "Only my cases";
    NewIntake = "new-intake", Bindable, "새 접수 (주민 등록)", "New intake";
    // Case timeline
    CaseList = "case-list", Bindable, "사례 목록", "Case list";
    AddEntry = "add-entry", Bindable, "기록 추가", "Add entry";
    CorrectEntry = "correct-entry", Bindable, "기록 정정", "Correct entry";
    ChangeStage = "change-stage", Bindable, "단계 변경", "Change stage";
    CloseCase = "close-case", Bindable, "사례 종결", "Close case";
    ReopenCase = "reopen-case", Bindable, "사례 재개", "Reopen case";
    Refer = "refer", Bindable, "자원 연계 (의뢰)", "Refer to a resource";
    ReferralStatus = "referral-status", Bindable, "연계 상태 변경", "Change referral status";
    FilterKind = "filter-kind", Bindable, "기록 종류로 거르기", "Filter by entry kind";
    ToggleOrder = "toggle-order", Bindable, "최신순/오래된순", "Toggle newest/oldest first";
    ShowHistory = "show-history", Bindable, "정정 이력 보기", "Show correction history";
    Export = "export", Bindable, "내보내기", "Export";
    // Today
    ToggleScope = "toggle-scope", Bindable, "내 것/전체 보기", "Mine / everyone";
    // Resources and imports
    NextCategory = "next-category", Bindable, "다음 분류", "Next category";
    PrevCategory = "prev-category", Bindable, "이전 분류", "Previous category";
    Import = "import", Bindable, "가져오기", "Import";
    // Sync
    SyncExport = "sync-export", Bindable, "동기화 묶음 내보내기", "Export sync bundle";
    SyncImport = "sync-import", Bindable, "동기화 묶음 가져오기", "Import sync bundle";
    ShowConflicts = "show-conflicts", Bindable, "충돌 검토", "Review conflicts";
    KeepCurrent = "keep-current", Bindable, "현재 값 유지", "Keep current value";
    RestoreOther = "restore-other", Bindable, "다른 값으로 복원", "Restore other value";
    // Forms and text input
    NextField = "next-field", Bindable, "다음 칸", "Next field";
    PrevField = "prev-field", Bindable, "이전 칸", "Previous field";
    Submit = "submit", Bindable, "저장", "Submit";
    Cancel = "cancel", Bindable, "취소", "Cancel";
    DeleteChar = "delete-char", Bindable, "앞 글자 지우기", "Delete previous character";
    DeleteForward = "delete-forward", Bindable, "뒤 글자 지우기", "Delete next character";
    LineStart = "line-start", Bindable, "줄 처음으로", "Start of line";
    LineEnd = "line-end", Bindable, "줄 끝으로", "End of line";
    ClearField = "clear-field", Bindable, "칸 비우기", "Clear field";
    NewLine = "new-line", Bindable, "줄 바꿈", "New line";
    Confirm = "confirm", Bindable, "예", "Yes / confirm";
    Deny = "deny", Bindable, "아니요", "No / deny";
    // Internal: sent by the app loop, never bound to a key
    Tick = "tick", Internal, "시간 경과", "Tick";
    Render = "render", Internal, "다시 그리기", "Render";
    Resize = "resize", Internal, "창 크기 변경", "Resize";
    DataLoaded = "data-loaded", Internal, "자료 불러옴", "Data loaded";
    QuitConfirmed = "quit-confirmed", Internal, "종료 확인됨", "Quit confirmed";
    Suspend = "suspend", Internal, "일시 중지", "Suspend";
    Error = "error", Internal, "오류", "Error";
}

impl Action {
    /// True for actions a keymap may bind; false for internal ones like `tick`.
    pub fn is_bindable(self) -> bool {
        self.kind() == Kind::Bindable
    }

    /// Every bindable action, in declaration order (the palette's list).
    pub fn bindable() -> impl Iterator<Item = Action> {
        Action::ALL.iter().copied().filter(|a| a.is_bindable())
    }
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

    #[test]
    fn internal_actions_are_not_bindable() {
        assert!(!Action::Tick.is_bindable());
        assert!(!Action::QuitConfirmed.is_bindable());
        assert!(Action::Quit.is_bindable());
        assert!(Action::bindable().all(|a| a.is_bindable()));
    }
}

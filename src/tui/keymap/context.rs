//! Contexts: where a key is pressed (a pane, an overlay, a text-input widget), each a table in
//! keymap files.

use std::fmt;
use std::str::FromStr;

/// Where a key is pressed: a pane, an overlay or a text-input widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Everywhere (fallback for every other context).
    Global,
    /// Resident search pane.
    Search,
    /// Case timeline pane.
    Timeline,
    /// Resource directory pane.
    Resources,
    /// Today pane (due follow-ups).
    Today,
    /// Sync screen (bundles, conflicts).
    Sync,
    /// The 발굴 queue screen.
    Discovery,
    /// The 방문 계획 screen (week view and day list).
    Visits,
    /// A form has focus (text input).
    Form,
    /// The command palette is open (text input).
    Palette,
    /// The help overlay is open.
    Help,
}

impl Context {
    /// Every context, in the order help and `--print` list them.
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::Search,
        Context::Timeline,
        Context::Resources,
        Context::Today,
        Context::Sync,
        Context::Discovery,
        Context::Visits,
        Context::Form,
        Context::Palette,
        Context::Help,
    ];

    /// The table name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Search => "search",
            Context::Timeline => "timeline",
            Context::Resources => "resources",
            Context::Today => "today",
            Context::Sync => "sync",
            Context::Discovery => "discovery",
            Context::Visits => "visits",
            Context::Form => "form",
            Context::Palette => "palette",
            Context::Help => "help",
        }
    }

    /// Korean title for the help overlay.
    pub fn label_ko(self) -> &'static str {
        match self {
            Context::Global => "공통",
            Context::Search => "주민 검색",
            Context::Timeline => "사례 타임라인",
            Context::Resources => "자원 목록",
            Context::Today => "오늘",
            Context::Sync => "동기화",
            Context::Discovery => "발굴 대상",
            Context::Visits => "방문 계획",
            Context::Form => "입력 양식",
            Context::Palette => "명령 팔레트",
            Context::Help => "도움말",
        }
    }

    /// True where printable keys are typed text, not commands.
    pub fn is_text_input(self) -> bool {
        matches!(self, Context::Form | Context::Palette)
    }
}

impl FromStr for Context {
    type Err = String;

    fn from_str(s: &str) -> Result<Context, String> {
        Context::ALL
            .iter()
            .copied()
            .find(|c| c.name() == s)
            .ok_or_else(|| s.to_string())
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

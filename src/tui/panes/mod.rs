//! The panes. Each owns its state, turns actions into state changes (calling the store, never
//! SQL), and renders from that state only.

pub mod audit;
pub mod discovery;
pub mod fields;
pub mod list_export;
pub mod resources;
pub mod search;
pub mod stats;
pub mod sync;
pub mod team;
pub mod timeline;
pub mod today;
pub mod visits;

use super::Action;
use super::keymap::Context;
use super::theme::Theme;
use fields::PaneForm;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// The four panes of the tab bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Search,
    Timeline,
    Resources,
    Today,
}

impl PaneId {
    pub const ALL: [PaneId; 4] = [
        PaneId::Search,
        PaneId::Timeline,
        PaneId::Resources,
        PaneId::Today,
    ];

    /// Tab label: number and Korean name.
    pub fn title(self) -> &'static str {
        match self {
            PaneId::Search => "1 주민 검색",
            PaneId::Timeline => "2 사례",
            PaneId::Resources => "3 자원",
            PaneId::Today => "4 오늘",
        }
    }

    pub fn context(self) -> Context {
        match self {
            PaneId::Search => Context::Search,
            PaneId::Timeline => Context::Timeline,
            PaneId::Resources => Context::Resources,
            PaneId::Today => Context::Today,
        }
    }

    pub(crate) fn index(self) -> usize {
        PaneId::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// What a pane's render reads besides the pane's own state (the app builds it each frame).
pub struct RenderCtx<'a> {
    pub theme: &'a Theme,
    /// Today by the store's clock.
    pub today: chrono::NaiveDate,
    /// Who is signed in.
    pub operator: &'a str,
}

/// What a pane asks the app to do after handling an action.
pub enum Effect {
    None,
    Message(String),
    /// Open the timeline of this resident (its case list if several).
    OpenResident(String),
    /// Open this case's timeline.
    OpenCase(String),
    /// Open this case's timeline with this entry selected and on screen (case id, entry id).
    OpenCaseAt(String, String),
    /// Show a form; its values come back to the pane's `on_form`.
    OpenForm(FormPurpose, PaneForm),
    Switch(PaneId),
    /// Go to the resource pane to pick a resource for the open case.
    PickResource,
    /// Refer the open case to this resource (id, name).
    ReferTo(String, String),
    /// Run an import (a dry run first for the preview), in the background where possible.
    Import(ImportJob),
    /// Open a case for this existing resident (or their open one) and show it (사례 열기).
    NewCase(String),
    /// A change was made: show the message and remember the change for undo (`u`).
    Changed(String, crate::timeline::undo::Change),
    /// A submitted form was refused: show it again, unchanged, with the message at the field.
    FormError(FormPurpose, Box<PaneForm>, fields::FieldId, String),
    /// Promote a 발굴 row to an intake (접수): the intake form prefilled from it.
    DiscoveryIntake(Box<crate::model::DiscoveryItem>),
}

/// An import the resource pane asked for.
#[derive(Debug, Clone)]
pub struct ImportJob {
    pub path: std::path::PathBuf,
    pub residents: bool,
    pub encoding: crate::resources::import::EncodingChoice,
    pub dry_run: bool,
}

impl ImportJob {
    /// Runs the import on `store`, reporting progress as (done, total).
    pub fn run(
        &self,
        store: &mut crate::store::Store,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<crate::resources::upsert::ImportReport, String> {
        use crate::resources::upsert::{self, ResidentImport, ResourceImport};
        let options = crate::resources::import::ImportOptions {
            encoding: self.encoding,
            ..Default::default()
        };
        let result = if self.residents {
            let s = ResidentImport {
                options,
                dry_run: self.dry_run,
            };
            upsert::import_residents(store, &self.path, &s, progress)
        } else {
            let s = ResourceImport {
                options,
                source: None,
                dry_run: self.dry_run,
            };
            upsert::import_resources(store, &self.path, &s, progress)
        };
        result.map_err(|e| e.to_string())
    }
}

/// Which form is open, so the submitted values go to the right place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormPurpose {
    Intake,
    SearchFilter,
    AddEntry {
        case_id: String,
    },
    CorrectEntry {
        case_id: String,
        entry_id: String,
    },
    ChangeStage {
        case_id: String,
    },
    Refer {
        case_id: String,
        resource_id: String,
    },
    ReferralStatus {
        case_id: String,
        referral_id: String,
    },
    ExportCase {
        case_id: String,
    },
    ExportResources,
    /// `x` on the search results: the shown list to XLSX.
    ExportSearchList,
    /// `x` on 오늘: its lists to XLSX.
    ExportTodayList,
    ImportFile,
    SyncExport,
    /// The explicit second step before a bundle is written unencrypted.
    SyncPlainConfirm,
    SyncImport,
    /// The shared folder, its interval and the plain-bundle opt-in (the sync pane's `f`).
    SyncFolder,
    /// The audit review's filters (operator, action, resident, date).
    AuditFilter,
    /// Moving an entry's follow-up date (from the case or from 오늘).
    Reschedule {
        entry_id: String,
    },
    /// Editing a resident (from the search pane or the case).
    EditResident {
        resident_id: String,
    },
    /// #16: asking for 결재 on a case (see `panes::team`).
    RequestApproval {
        case_id: String,
    },
    /// #16: returning a 결재 request with a comment (from the case or 오늘).
    ReturnApproval {
        request_id: String,
    },
    /// #16: recording a consent on a case.
    RecordConsent {
        case_id: String,
    },
    /// #16: withdrawing a consent.
    WithdrawConsent {
        consent_id: String,
    },
    /// #16: handing cases over to another worker: `case_ids`, or (when the form's 대상 says
    /// so) everything `worker` holds.
    Handover {
        case_ids: Vec<String>,
        worker: Option<String>,
    },
    /// #16: 이관 — picking the partner site (`peers`: site id, name) and writing the reason.
    Transfer {
        case_id: String,
        peers: Vec<(String, String)>,
    },
    /// #16: the second step of 이관, naming the partner site before anything is written.
    TransferConfirm {
        case_id: String,
        site_id: String,
        site_name: String,
        note: String,
    },
    /// The outcome and note of a 발굴 queue row.
    DiscoveryOutcome {
        id: String,
    },
    /// #16: planning a visit on a case (`v` in the case).
    PlanVisit {
        case_id: String,
    },
    /// #16: planning a visit for a 발굴 row (`v` in the queue).
    PlanVisitDiscovery {
        id: String,
    },
    /// #16: recording a planned visit as done (the 방문 entry, from the day list).
    VisitDone {
        plan_id: String,
    },
    /// #16: a day's visit list to a file (`day` YYYY-MM-DD, `format` xlsx/html).
    ExportVisits {
        day: String,
        format: String,
    },
}

impl FormPurpose {
    /// The pane that handles the submitted form.
    pub fn pane(&self) -> PaneId {
        match self {
            FormPurpose::Intake | FormPurpose::SearchFilter => PaneId::Search,
            FormPurpose::ExportResources | FormPurpose::ImportFile => PaneId::Resources,
            FormPurpose::ExportSearchList => PaneId::Search,
            FormPurpose::ExportTodayList => PaneId::Today,
            _ => PaneId::Timeline,
        }
    }
}

/// Selection and scroll of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListState {
    pub selected: usize,
    pub offset: usize,
}

impl ListState {
    /// Applies a movement action over `len` items with `page` visible rows; true if handled.
    pub fn apply(&mut self, action: Action, len: usize, page: usize) -> bool {
        let last = len.saturating_sub(1);
        let page = page.max(1);
        self.selected = match action {
            Action::Up => self.selected.saturating_sub(1),
            Action::Down => (self.selected + 1).min(last),
            Action::PageUp => self.selected.saturating_sub(page),
            Action::PageDown => (self.selected + page).min(last),
            Action::HalfPageUp => self.selected.saturating_sub(page / 2),
            Action::HalfPageDown => (self.selected + page / 2).min(last),
            Action::Top => 0,
            Action::Bottom => last,
            _ => return false,
        };
        true
    }

    /// Clamps to `len` and returns the first visible row for `rows` visible rows.
    pub fn visible_from(&self, len: usize, rows: usize) -> usize {
        let selected = self.selected.min(len.saturating_sub(1));
        let rows = rows.max(1);
        if selected < self.offset {
            selected
        } else if selected >= self.offset + rows {
            selected + 1 - rows
        } else {
            self.offset.min(len.saturating_sub(rows.min(len)))
        }
    }

    /// Keeps `offset` so the selection stays visible (call after moving, with the list height).
    pub fn scroll_to(&mut self, len: usize, rows: usize) {
        self.offset = self.visible_from(len, rows);
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// Selects the item at visible row `row` (mouse click).
    pub fn click(&mut self, row: usize, len: usize) -> bool {
        let i = self.offset + row;
        if i < len {
            self.selected = i;
            true
        } else {
            false
        }
    }
}

/// Pads or cuts a string to `w` display columns (Hangul counts two).
pub fn cell(s: &str, w: usize) -> String {
    super::widgets::pad(s, w)
}

/// A name with the characters at `positions` styled as matched. Control characters and bidi
/// overrides are left out (as [`cell`] does), after counting positions.
pub fn highlighted<'a>(
    name: &str,
    positions: &[usize],
    base: ratatui::style::Style,
    matched: ratatui::style::Style,
) -> Vec<Span<'a>> {
    name.chars()
        .enumerate()
        .filter(|&(_, c)| !crate::privacy::is_terminal_unsafe(c))
        .map(|(i, c)| {
            Span::styled(
                c.to_string(),
                if positions.contains(&i) {
                    matched
                } else {
                    base
                },
            )
        })
        .collect()
}

/// Width of a line of spans.
pub fn line_width(line: &Line<'_>) -> usize {
    line.spans.iter().map(|s| s.content.width()).sum()
}

/// The rows of `area` below its first `skip` rows.
pub fn below(area: Rect, skip: u16) -> Rect {
    Rect::new(
        area.x,
        area.y.saturating_add(skip.min(area.height)),
        area.width,
        area.height.saturating_sub(skip),
    )
}

pub use crate::privacy::mask_phone;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_except_the_tail() {
        assert_eq!(mask_phone("010-5678-1234"), "010-****-1234");
        assert_eq!(mask_phone("02-812-3456"), "02-***-3456");
        assert_eq!(mask_phone("01056781234"), "*******1234");
    }

    /// Files under `dir` (recursively) with the `.rs` extension.
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }

    /// Dependencies in the TUI run one way: the app and the frame renderer use the panes and
    /// widgets, never the other way round.
    #[test]
    fn panes_and_widgets_do_not_import_the_app() {
        let tui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
        let mut files = Vec::new();
        for dir in ["panes", "widgets", "keymap"] {
            rust_files(&tui.join(dir), &mut files);
        }
        files.extend(["layout.rs", "msg.rs"].map(|f| tui.join(f)));
        // Built at run time so this test's own text does not match.
        let upward: Vec<String> = ["tui", "super"]
            .iter()
            .flat_map(|p| ["app", "ui", "run"].map(|m| format!("{p}::{m}")))
            .collect();
        let mut found = Vec::new();
        for f in &files {
            let text =
                std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if upward.iter().any(|u| code.contains(u)) {
                    found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
        assert!(files.len() > 10, "{files:?}");
        assert!(found.is_empty(), "upward imports:\n{}", found.join("\n"));
    }

    #[test]
    fn list_state_keeps_selection_visible() {
        let mut l = ListState::default();
        for _ in 0..15 {
            l.apply(Action::Down, 20, 5);
            l.scroll_to(20, 5);
        }
        assert_eq!(l.selected, 15);
        assert_eq!(l.offset, 11);
        l.apply(Action::Top, 20, 5);
        l.scroll_to(20, 5);
        assert_eq!((l.selected, l.offset), (0, 0));
        l.apply(Action::Bottom, 0, 5);
        assert_eq!(l.selected, 0);
    }
}

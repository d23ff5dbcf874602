//! 2 사례: a case's header, stage bar and timeline grouped by date (newest or oldest first),
//! corrections marked 정정됨 with their history on demand, follow-ups highlighted. Keys add,
//! correct, change stage, refer (via the resource pane), filter by kind and export.
//! Without an open case it lists cases, most recently active first.

//!
//! Modules: `list` (the case list's keys), `case` (an open case's keys), `forms` (building and
//! submitting the pane's forms), `paper` (print exports), `render` (drawing).

mod case;
mod forms;
mod list;
pub mod paper;
mod render;

use super::fields::PaneForm;
use super::{Effect, FormPurpose, ListState};
use crate::model::EntryKind;
use crate::store::Store;
use crate::timeline::undo::Change;
use crate::timeline::{self, CaseFilter, CaseRow, Timeline, TimelineError};
use crate::tui::Action;

type Result<T> = std::result::Result<T, TimelineError>;

/// One row of the timeline list: a date heading or an entry (index into `items`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Date(usize),
    Entry(usize),
}

#[derive(Default)]
pub struct TimelinePane {
    /// Cases listed when no case is open (or the resident's cases).
    cases: Vec<CaseRow>,
    case_list: ListState,
    /// The resident whose cases are listed, if any.
    resident: Option<String>,
    open: Option<Timeline>,
    rows: Vec<Row>,
    list: ListState,
    newest_first: bool,
    kind_filter: Option<EntryKind>,
    show_history: bool,
    show_full: bool,
    loaded: bool,
    /// The last file `e` wrote (`O` opens it).
    last_export: Option<std::path::PathBuf>,
    /// How many cases the list holds in all, and how many it loads (#12 item 9: honest lists).
    case_total: usize,
    case_limit: usize,
    /// How `O` opens a file (the system's default program unless a test sets another).
    opener: Option<fn(&std::path::Path) -> std::io::Result<()>>,
    /// Cases marked in the list (space) for a handover of several (A); #16.
    marked: std::collections::BTreeSet<String>,
}

/// Cases loaded at a time in the case list; scrolling to the end loads the next batch.
const CASE_BATCH: usize = 500;

impl TimelinePane {
    /// What the case list shows, for the read record (issue #20): its filter (the resident, or
    /// all cases) and how many residents; `None` when a case is open or the list is empty.
    pub fn shown(&self) -> Option<(String, usize)> {
        if self.open.is_some() || !self.loaded || self.cases.is_empty() {
            return None;
        }
        let residents: std::collections::HashSet<&str> =
            self.cases.iter().map(|c| c.resident_id.as_str()).collect();
        let filter = match &self.resident {
            Some(r) => format!("resident={r}"),
            None => "전체 사례".to_owned(),
        };
        Some((filter, residents.len()))
    }

    /// How many cases are marked in the list (#16: space marks, A hands them over).
    pub fn marked_count(&self) -> usize {
        self.marked.len()
    }

    /// Whether the open case has a 결재 request waiting for a decision.
    pub fn has_pending_approval(&self) -> bool {
        self.open
            .as_ref()
            .is_some_and(|t| super::team::pending_request(t, None).is_some())
    }

    /// Whether `operator` may decide the open case's waiting 결재 request: there is one and
    /// they did not write it (nobody approves their own request, so `y`/`b` are not offered).
    pub fn can_decide_approval(&self, operator: &str) -> bool {
        self.open.as_ref().is_some_and(|t| {
            super::team::pending_request(t, None).is_some_and(|e| e.author != operator)
        })
    }

    /// The open case, if any (the resource pane's `r` refers it).
    pub fn current_case(&self) -> Option<&str> {
        self.open.as_ref().map(|t| t.header.case.id.as_str())
    }

    /// Replaces how `O` opens the exported file (tests: a function that records the path
    /// instead of starting a browser).
    pub fn set_opener(&mut self, open: fn(&std::path::Path) -> std::io::Result<()>) {
        self.opener = Some(open);
    }

    /// The file `O` opens (the last print file `e` wrote), if any.
    pub fn last_export(&self) -> Option<&std::path::Path> {
        self.last_export.as_deref()
    }

    /// Whether no case is open and the case list has no row (enter has nothing to open).
    pub fn list_is_empty(&self) -> bool {
        self.open.is_none() && self.cases.is_empty()
    }

    /// The resident whose cases are listed, if the list is one resident's.
    pub fn resident(&self) -> Option<&str> {
        self.resident.as_deref()
    }

    pub fn load(&mut self, store: &mut Store) -> Result<()> {
        if let Some(t) = &self.open {
            let id = t.header.case.id.clone();
            self.open = Some(timeline::load(store, &id)?);
            self.relayout();
        } else {
            self.case_limit = self.case_limit.max(CASE_BATCH);
            self.cases = store.list_cases(&CaseFilter {
                resident: self.resident.clone(),
                limit: Some(self.case_limit),
                ..CaseFilter::default()
            })?;
            self.case_total = if self.cases.len() < self.case_limit {
                self.cases.len()
            } else if self.resident.is_none() {
                usize::try_from(store.counts()?.cases).unwrap_or(usize::MAX)
            } else {
                store
                    .cases_of_resident(self.resident.as_deref().unwrap_or(""))?
                    .len()
            };
        }
        self.loaded = true;
        Ok(())
    }

    /// Opens a resident: their only case directly, else the list of their cases.
    pub fn open_resident(&mut self, resident_id: &str, store: &mut Store) -> Result<()> {
        self.resident = Some(resident_id.to_string());
        self.open = None;
        self.cases = store.cases_of_resident(resident_id)?;
        self.case_list = ListState::default();
        self.loaded = true;
        match self.cases.as_slice() {
            [one] => {
                let id = one.id.clone();
                self.open_case(&id, store)
            }
            _ => {
                // Viewing the resident's case list is a view of the resident.
                store.audit(&crate::audit::Event {
                    action: crate::model::AuditAction::View,
                    resident_id: Some(resident_id),
                    subject: &format!("resident:{resident_id}"),
                    detail: "사례 목록",
                })?;
                Ok(())
            }
        }
    }

    /// Opens a case's timeline (audited as 조회). A jump starts clean: no kind filter left
    /// over from the previous case.
    pub fn open_case(&mut self, case_id: &str, store: &mut Store) -> Result<()> {
        self.open = Some(timeline::view(store, case_id)?);
        self.list = ListState::default();
        self.kind_filter = None;
        self.show_history = false;
        self.show_full = false;
        self.relayout();
        Ok(())
    }

    /// Opens a case with the entry `entry_id` (or its correction chain) selected and on screen.
    pub fn open_case_at(&mut self, case_id: &str, entry_id: &str, store: &mut Store) -> Result<()> {
        self.open_case(case_id, store)?;
        self.select_entry(entry_id);
        Ok(())
    }

    /// Selects the row of the entry `entry_id` (an original or one of its corrections).
    fn select_entry(&mut self, entry_id: &str) {
        let Some(t) = &self.open else {
            return;
        };
        let Some(item) = t
            .items
            .iter()
            .position(|i| i.history().any(|e| e.id == entry_id))
        else {
            return;
        };
        if let Some(row) = self.rows.iter().position(|r| *r == Row::Entry(item)) {
            self.list.selected = row;
            // Scrolled into view on the next move; the render keeps the selection visible.
            self.list.offset = row.saturating_sub(2);
        }
    }

    /// 사례 열기 for an existing resident: their case that is still open, else a new case at
    /// 접수. Returns the status message.
    pub fn new_case(&mut self, resident_id: &str, store: &mut Store) -> Result<String> {
        let open = store
            .cases_of_resident(resident_id)?
            .into_iter()
            .find(|c| c.stage.is_open());
        self.resident = Some(resident_id.to_string());
        self.loaded = true;
        match open {
            Some(c) => {
                self.open_case(&c.id, store)?;
                Ok("이미 진행 중인 사례를 열었습니다".into())
            }
            None => {
                let id = store.open_case_for(resident_id)?;
                self.cases = store.cases_of_resident(resident_id)?;
                self.open_case(&id, store)?;
                Ok("사례를 열었습니다 (접수 단계)".into())
            }
        }
    }

    /// The resident edit form for `resident_id` (from the search pane or the case).
    pub fn edit_resident_form(resident_id: &str, store: &Store) -> Effect {
        let name = match store.resident(resident_id) {
            Ok(Some(r)) => r.name,
            Ok(None) => return Effect::Message("주민을 찾을 수 없습니다".into()),
            Err(e) => return Effect::Message(e.to_string()),
        };
        match store.resident_edit(resident_id) {
            Ok(edit) => Effect::OpenForm(
                FormPurpose::EditResident {
                    resident_id: resident_id.to_string(),
                },
                forms::resident_form(&name, &edit),
            ),
            Err(e) => Effect::Message(e.to_string()),
        }
    }

    /// Marks the follow-up of entry `entry_id` done (from the case or from 오늘).
    pub fn complete_follow_up(entry_id: &str, store: &mut Store) -> Effect {
        let due = match forms::timeline_due(store, entry_id) {
            Ok(d) => d,
            Err(e) => return Effect::Message(e.to_string()),
        };
        match timeline::complete_follow_up(store, entry_id) {
            Ok(e) => Effect::Changed(
                "후속 일정을 완료했습니다 (u 되돌리기)".into(),
                Change::FollowUp {
                    entry_id: e.id,
                    due,
                },
            ),
            Err(e) => Effect::Message(e.to_string()),
        }
    }

    /// The form moving the follow-up of entry `entry_id`.
    pub fn reschedule_form(entry_id: &str, store: &Store) -> Effect {
        let item = store.entry(entry_id).and_then(|e| {
            let root = e.corrects.clone().unwrap_or(e.id.clone());
            let items = timeline::resolve(store.case_entries(&e.case_id)?);
            Ok(items.into_iter().find(|i| i.original.id == root))
        });
        match item {
            Ok(Some(i)) => match i.due_on() {
                Some(due) => Effect::OpenForm(
                    FormPurpose::Reschedule {
                        entry_id: i.original.id.clone(),
                    },
                    forms::reschedule_form(i.text(), due, store.clock().today()),
                ),
                None => Effect::Message("후속 일정이 없는 기록입니다".into()),
            },
            Ok(None) => Effect::Message("기록을 찾을 수 없습니다".into()),
            Err(e) => Effect::Message(e.to_string()),
        }
    }

    /// Rebuilds the visible rows from the open timeline, order and kind filter.
    fn relayout(&mut self) {
        self.rows.clear();
        let Some(t) = &self.open else {
            return;
        };
        let mut idx: Vec<usize> = (0..t.items.len())
            .filter(|i| {
                self.kind_filter
                    .is_none_or(|k| t.items[*i].original.kind == k)
            })
            .collect();
        if self.newest_first {
            idx.reverse();
        }
        let mut last_date = "";
        for i in idx {
            let date = t.items[i].original.at.get(..10).unwrap_or("");
            if date != last_date {
                self.rows.push(Row::Date(i));
                last_date = date;
            }
            self.rows.push(Row::Entry(i));
        }
        // Keep the selection on an entry.
        if !matches!(self.rows.get(self.list.selected), Some(Row::Entry(_))) {
            self.list.selected = self
                .rows
                .iter()
                .position(|r| matches!(r, Row::Entry(_)))
                .unwrap_or(0);
        }
    }

    fn selected_item(&self) -> Option<&timeline::TimelineItem> {
        let t = self.open.as_ref()?;
        match self.rows.get(self.list.selected)? {
            Row::Entry(i) => t.items.get(*i),
            Row::Date(_) => None,
        }
    }

    pub fn on_action(&mut self, action: Action, page: usize, store: &mut Store) -> Effect {
        if !self.loaded
            && let Err(e) = self.load(store)
        {
            return Effect::Message(e.to_string());
        }
        match self.open.is_some() {
            false => self.on_list_action(action, page, store),
            true => self.on_case_action(action, page, store),
        }
    }

    /// The referral form for `resource_id` on the open case.
    pub fn refer_form(&self, resource_id: &str, resource_name: &str) -> Option<Effect> {
        let case_id = self.current_case()?.to_string();
        let name = self
            .open
            .as_ref()
            .map_or("", |t| t.header.resident_name.as_str());
        let form = forms::refer_form(name, resource_name);
        Some(Effect::OpenForm(
            FormPurpose::Refer {
                case_id,
                resource_id: resource_id.to_string(),
            },
            form,
        ))
    }

    pub fn on_form(&mut self, purpose: FormPurpose, form: &PaneForm, store: &mut Store) -> Effect {
        if let FormPurpose::ExportCase { case_id } = &purpose {
            return match paper::submit(case_id, form, store) {
                Ok((message, path)) => {
                    let html = path.extension().is_some_and(|e| e == "html");
                    self.last_export = html.then_some(path);
                    Effect::Message(message)
                }
                Err(e) => {
                    // A bad path or format keeps the form as typed, the reason at its field.
                    let field = forms::field_of(&purpose, &e);
                    Effect::FormError(
                        purpose.clone(),
                        Box::new(form.clone()),
                        field,
                        forms::refusal(&e),
                    )
                }
            };
        }
        if let Some(effect) = super::team::transfer_submit(&purpose, form, store) {
            if let Err(e) = self.load(store) {
                return Effect::Message(e.to_string());
            }
            return effect;
        }
        if let Some(result) = super::team::submit(&purpose, form, store) {
            return match result {
                Ok((message, _)) => {
                    if let FormPurpose::Handover { .. } = purpose {
                        self.marked.clear();
                    }
                    match self.load(store) {
                        Ok(()) => Effect::Message(message),
                        Err(e) => Effect::Message(e.to_string()),
                    }
                }
                Err(e) => {
                    let field = super::team::field_of(&purpose, &e);
                    Effect::FormError(purpose, Box::new(form.clone()), field, e.to_string())
                }
            };
        }
        let result = forms::submit(purpose.clone(), form, store);
        let (message, change) = match result {
            Ok(m) => m,
            Err(e) => {
                // The form comes back as typed, with the reason next to its field.
                let field = forms::field_of(&purpose, &e);
                return Effect::FormError(
                    purpose,
                    Box::new(form.clone()),
                    field,
                    forms::refusal(&e),
                );
            }
        };
        if let Err(e) = self.load(store) {
            return Effect::Message(e.to_string());
        }
        match change {
            Some(c) => Effect::Changed(message, c),
            None => Effect::Message(message),
        }
    }

    pub fn on_click(&mut self, row: u16) -> Effect {
        if self.open.is_some() {
            if row >= 3 && self.list.click(usize::from(row - 3), self.rows.len()) {
                self.relayout();
            }
        } else if row >= 1 {
            self.case_list.click(usize::from(row - 1), self.cases.len());
        }
        Effect::None
    }
}

fn reload(pane: &mut TimelinePane, store: &mut Store) -> Effect {
    pane.case_list = ListState::default();
    pane.case_limit = CASE_BATCH;
    match pane.load(store) {
        Ok(()) => Effect::None,
        Err(e) => Effect::Message(e.to_string()),
    }
}

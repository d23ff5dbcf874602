//! 1 주민 검색: the query line, filter chips, results with matched syllables highlighted, a detail
//! panel (audited), Enter → the resident's timeline, `n` → intake with a duplicate check.

//!
//! Modules: `intake` (the 접수 form and registering a resident).

mod duplicates;
mod intake;

use super::fields::{FieldId, PaneForm};
use super::{Effect, FormPurpose, ListState, RenderCtx, below, cell, highlighted, mask_phone};
use crate::model::Stage;
use crate::search::residents::{Filters, ResidentHit, ResidentIndex, summarize};
use crate::search::{Query, Ranking, Searcher};
use crate::store::{NewResident, ResidentDetail, Store};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::widgets::form::Field;
use crate::tui::{Action, Key, KeyCode};
use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// The longest query, in characters: no name, phone number or address needs more, and a long
/// paste is cut here instead of being searched for.
pub const MAX_QUERY: usize = 200;

fn query_cut_message() -> String {
    format!("검색어는 {MAX_QUERY}자까지입니다 (넘는 부분은 버렸습니다)")
}

/// Results kept for one query (the list scrolls through these).
const LIMIT: usize = 200;
/// Rows fetched with each new query: more than a tall terminal shows (#18: a keystroke reads
/// a screenful of rows from the database, not [`LIMIT`]).
const FIRST: usize = 64;
const ANY: &str = "(전체)";
/// Display columns of the name column (a space included).
const NAME_W: usize = 10;

pub struct SearchPane {
    index: Option<ResidentIndex>,
    searcher: Searcher,
    pub query: String,
    /// The query line has focus: printable keys are typed into it.
    typing: bool,
    pub filters: Filters,
    pub hits: Vec<ResidentHit>,
    /// Every match of the query, counted and ranked page by page; `hits` holds the rows of
    /// the first `fetched`.
    ranking: Ranking,
    fetched: usize,
    list: ListState,
    detail: Option<ResidentDetail>,
    error: Option<String>,
    /// A new resident waiting for the duplicate confirmation.
    pending_intake: Option<(NewResident, bool)>,
    /// Keys named in the pane's own text (the empty-list hint), from the active keymap.
    keys: PaneKeys,
    /// `/` came back to a non-empty query: it is shown selected and typing replaces it.
    query_selected: bool,
    /// The query when the intake form was opened (a leftover there is checked at intake).
    intake_query: String,
    /// The intake name was pre-filled from the query and typing replaces it.
    prefill_selected: bool,
}

/// Keys the pane names in its own text, per focus state (see [`SearchPane::set_keymap`]).
#[derive(Debug, Clone, Default)]
struct PaneKeys {
    /// New intake while typing / with the list focused.
    intake: [Option<String>; 2],
    /// Help while typing / with the list focused.
    help: [Option<String>; 2],
    /// Command palette while typing / with the list focused.
    palette: [Option<String>; 2],
    /// Jamo that are commands with the list focused (their own binding or their Latin twin's);
    /// any other jamo starts a query there.
    command_jamo: Vec<char>,
}

impl SearchPane {
    pub fn new() -> SearchPane {
        SearchPane {
            index: None,
            searcher: Searcher::new(),
            query: String::new(),
            typing: true,
            filters: Filters::default(),
            hits: Vec::new(),
            ranking: Ranking::default(),
            fetched: 0,
            list: ListState::default(),
            detail: None,
            error: None,
            pending_intake: None,
            keys: PaneKeys::default(),
            query_selected: false,
            intake_query: String::new(),
            prefill_selected: false,
        }
    }

    /// Takes the keys the pane names in its text (the empty-list hint) from the active keymap,
    /// and starts with the list focused when the keymap moves with letters (vim).
    pub fn set_keymap(&mut self, keymap: &Keymap) {
        let both =
            |a: Action| [true, false].map(|typing| keymap.hint_when(Context::Search, a, typing));
        self.keys = PaneKeys {
            intake: both(Action::NewIntake),
            help: both(Action::Help),
            palette: both(Action::CommandPalette),
            command_jamo: ('ㄱ'..='ㅣ')
                .filter(|c| {
                    let k = Key::char(*c);
                    [Some(k), k.latin_twin()].into_iter().flatten().any(|k| {
                        keymap.lookup(Context::Search, &[k])
                            != crate::tui::keymap::Resolution::NoMatch
                    })
                })
                .collect(),
        };
        if keymap.moves_with_letters() {
            self.typing = false;
        }
    }

    /// Coming back to the pane (from a case, another pane): the last query is shown selected,
    /// so typing a new name replaces it (backspace clears it, arrows keep it).
    pub fn on_enter(&mut self) {
        self.query_selected = self.typing && !self.query.is_empty();
    }

    /// True while the query line has focus: printable keys are typed into it, so commands
    /// need keys that cannot be text (`ctrl-n`, enter, arrows, F keys, esc).
    pub fn is_typing(&self) -> bool {
        self.typing
    }

    /// A pane key for the current focus state (index 0 typing, 1 list).
    fn key_now<'a>(&self, keys: &'a [Option<String>; 2]) -> Option<&'a str> {
        keys[usize::from(!self.typing)].as_deref()
    }

    /// What the list shows, for the read record (issue #20): the query and filters, and how
    /// many residents; `None` when no resident is listed.
    pub fn shown(&self) -> Option<(String, usize)> {
        (!self.hits.is_empty()).then(|| {
            (
                crate::cli::search::describe(&self.query, &self.filters),
                self.hits.len(),
            )
        })
    }

    /// Residents in the index (0 while loading).
    pub fn index_len(&self) -> usize {
        self.index.as_ref().map_or(0, ResidentIndex::len)
    }

    /// Heap bytes of the index.
    pub fn index_bytes(&self) -> usize {
        self.index.as_ref().map_or(0, ResidentIndex::heap_bytes)
    }

    pub fn is_loading(&self) -> bool {
        self.index.is_none()
    }

    pub fn set_index(&mut self, mut index: ResidentIndex, store: &mut Store) {
        // A freshly built index is stored for the next start (best effort; it is skipped when
        // the database changed since it was read).
        let _ = index.persist(store);
        self.index = Some(index);
        self.searcher.invalidate();
        self.run(store);
    }

    /// Re-runs the query (after typing or a filter change): every match is counted in the index
    /// (no database access), the first [`LIMIT`] are ranked and their rows fetched, more as the
    /// list scrolls (ranked only then: a keystroke never sorts or fuzzy-scores them all).
    fn run(&mut self, store: &Store) {
        let Some(index) = &self.index else {
            return;
        };
        let year = u16::try_from(store.clock().today().year()).unwrap_or(2026);
        let query = Query::parse(&self.query, year);
        self.ranking = index.rank(&mut self.searcher, &query, &self.filters);
        self.hits.clear();
        self.fetched = 0;
        // A screenful first (a keystroke looks up this many rows, not a whole page); the rest
        // as the list scrolls.
        self.fetch(store, FIRST);
        self.list = ListState::default();
        self.detail = None;
    }

    /// Fetches the list rows of the next [`LIMIT`] matches (the same rows, in the same order,
    /// as [`crate::search::residents::find`] gives `dolbom search`).
    fn fetch_more(&mut self, store: &Store) {
        self.fetch(store, LIMIT);
    }

    fn fetch(&mut self, store: &Store, n: usize) {
        let Some(index) = &self.index else {
            return;
        };
        let next = index.page(&mut self.ranking, self.fetched, n);
        if next.is_empty() {
            return;
        }
        // A resident deleted since the index was built has no row: left out.
        match summarize(store, index, next) {
            Ok(rows) => {
                self.hits.extend(rows);
                self.fetched = (self.fetched + n).min(self.ranking.len());
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Matches in all (the list shows them [`LIMIT`] at a time).
    pub fn total(&self) -> usize {
        self.ranking.len()
    }

    /// True when more matches wait beyond the rows fetched.
    pub fn has_more(&self) -> bool {
        // A count that is only a lower bound ("N건 이상") may have more past it.
        self.fetched < self.ranking.len() || !self.ranking.is_exact()
    }

    /// Rebuilds the index from the database (after residents were added or imported).
    pub fn rebuild_index(&mut self, store: &mut Store) {
        match ResidentIndex::open(store) {
            Ok(ix) => self.set_index(ix, store),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    pub fn selected(&self) -> Option<&ResidentHit> {
        self.hits.get(self.list.selected)
    }

    /// Printable keys while the query line has focus (esc and every other non-text key go on to
    /// the keymap: esc is `back`, which leaves the query line). With the list focused, a Hangul
    /// syllable (never a command key) or a jamo that is not a command starts a new query.
    pub fn on_text(&mut self, key: Key, store: &mut Store) -> Option<Effect> {
        if key.text_char().is_some()
            && self.typing
            && !self.query_selected
            && self.query.chars().count() >= MAX_QUERY
        {
            return Some(Effect::Message(query_cut_message()));
        }
        if !self.typing {
            let c = key.text_char().filter(|c| {
                ('가'..='힣').contains(c)
                    || (('ㄱ'..='ㅣ').contains(c) && !self.keys.command_jamo.contains(c))
            })?;
            self.typing = true;
            self.query.clear();
            self.query.push(c);
            self.run(store);
            return Some(Effect::None);
        }
        let replace = std::mem::take(&mut self.query_selected);
        match key.code {
            KeyCode::Char(c) if key.text_char().is_some() => {
                if replace {
                    self.query.clear();
                }
                self.query.push(c);
            }
            KeyCode::Backspace if replace => self.query.clear(),
            KeyCode::Backspace => {
                self.query.pop();
            }
            _ => return None,
        }
        self.run(store);
        Some(Effect::None)
    }

    /// A bracketed paste while the query line has focus: the whole text goes in at once and the
    /// query runs once (not once per character, which made a long paste quadratic). Line breaks
    /// and tabs become spaces, other control characters are dropped, and the query is cut at
    /// [`MAX_QUERY`] characters with a message. `None` when the query line does not have focus.
    pub fn on_paste(&mut self, text: &str, store: &mut Store) -> Option<Effect> {
        if !self.typing {
            return None;
        }
        if std::mem::take(&mut self.query_selected) {
            self.query.clear();
        }
        let room = MAX_QUERY.saturating_sub(self.query.chars().count());
        let mut cleaned = text
            .chars()
            .filter_map(|c| match c {
                '\n' | '\r' | '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .peekable();
        let mut taken = 0;
        while taken < room {
            match cleaned.next() {
                Some(c) => self.query.push(c),
                None => break,
            }
            taken += 1;
        }
        let cut = cleaned.peek().is_some();
        self.run(store);
        Some(if cut {
            Effect::Message(query_cut_message())
        } else {
            Effect::None
        })
    }

    pub fn on_action(&mut self, action: Action, page: usize, store: &mut Store) -> Effect {
        self.query_selected = false;
        // Near the end of the fetched rows (or going to the bottom), fetch more first.
        if matches!(
            action,
            Action::Down | Action::PageDown | Action::HalfPageDown | Action::Bottom
        ) {
            while self.has_more()
                && (action == Action::Bottom || self.list.selected + page + 1 >= self.hits.len())
            {
                let before = self.hits.len();
                self.fetch_more(store);
                if action != Action::Bottom || self.hits.len() == before {
                    break;
                }
            }
        }
        if self.list.apply(action, self.hits.len(), page) {
            self.list.scroll_to(self.hits.len(), page);
            self.detail = None;
            return Effect::None;
        }
        match action {
            Action::Export => {
                let date = store.clock().today().format("%Y-%m-%d").to_string();
                let form = super::list_export::form("검색 결과 엑셀로 저장", "검색결과", &date);
                return Effect::OpenForm(FormPurpose::ExportSearchList, form);
            }
            Action::FocusSearch => {
                // Back to the query: what is there is selected, so typing starts a new one.
                self.query_selected = !self.typing && !self.query.is_empty();
                self.typing = true;
            }
            Action::Back => {
                if self.detail.is_some() {
                    self.detail = None;
                } else {
                    self.typing = false;
                }
            }
            Action::ClearQuery => {
                self.query.clear();
                self.typing = true;
                self.run(store);
            }
            Action::Select => {
                if let Some(h) = self.selected() {
                    return Effect::OpenResident(h.summary.id.clone());
                }
            }
            Action::Detail => {
                if self.detail.is_some() {
                    self.detail = None;
                } else if let Some(h) = self.selected() {
                    match store.view_resident(&h.summary.id) {
                        Ok(d) => self.detail = Some(d),
                        Err(e) => return Effect::Message(e.to_string()),
                    }
                }
            }
            Action::ToggleMine => {
                self.filters.worker = match self.filters.worker {
                    Some(_) => None,
                    None => Some(store.operator().to_string()),
                };
                self.searcher.invalidate();
                self.run(store);
            }
            Action::ClearFilter => {
                self.filters = Filters::default();
                self.searcher.invalidate();
                self.run(store);
            }
            Action::Filter => return self.filter_form(),
            // #12: 사례 열기 and 주민 정보 수정 on the selected resident.
            Action::OpenCase => {
                if let Some(h) = self.selected() {
                    return Effect::NewCase(h.summary.id.clone());
                }
            }
            Action::EditResident => {
                if let Some(h) = self.selected() {
                    return super::timeline::TimelinePane::edit_resident_form(&h.summary.id, store);
                }
            }
            Action::NewIntake => {
                let form = intake::intake_form(self.index.as_ref(), &self.query);
                self.intake_query = self.query.clone();
                self.prefill_selected = !form.value(FieldId::Name).unwrap_or("").is_empty();
                self.pending_intake = None;
                return Effect::OpenForm(FormPurpose::Intake, form);
            }
            _ => {}
        }
        Effect::None
    }

    fn filter_form(&self) -> Effect {
        let Some(ix) = &self.index else {
            return Effect::Message("주민 색인을 만드는 중입니다".into());
        };
        let choices = |items: &[String]| {
            let mut v: Vec<&str> = vec![ANY];
            let mut sorted: Vec<&str> = items.iter().map(String::as_str).collect();
            sorted.sort_unstable();
            v.extend(sorted);
            v.into_iter().map(String::from).collect::<Vec<_>>()
        };
        let stages: Vec<String> = std::iter::once(ANY.to_string())
            .chain(Stage::ALL.iter().map(|s| s.label().to_string()))
            .collect();
        let field = |id: FieldId, label: &str, opts: Vec<String>, current: Option<String>| {
            let refs: Vec<&str> = opts.iter().map(String::as_str).collect();
            let f = Field::choice(id, label, &refs);
            match current {
                Some(c) if opts.contains(&c) => f.with_value(&c),
                _ => f,
            }
        };
        Effect::OpenForm(
            FormPurpose::SearchFilter,
            PaneForm::new(
                "검색 필터",
                vec![
                    field(
                        FieldId::Dong,
                        "읍면동",
                        choices(ix.dongs()),
                        self.filters.dong.clone(),
                    ),
                    field(
                        FieldId::Stage,
                        "단계",
                        stages,
                        self.filters.stage.map(|s| s.label().to_string()),
                    ),
                    field(
                        FieldId::Flag,
                        "위기·표시",
                        choices(ix.flags()),
                        self.filters.flag.clone(),
                    ),
                    field(
                        FieldId::Category,
                        "대상자 구분",
                        choices(ix.categories()),
                        self.filters.category.clone(),
                    ),
                    field(
                        FieldId::Worker,
                        "담당자",
                        choices(ix.workers()),
                        self.filters.worker.clone(),
                    ),
                ],
            ),
        )
    }

    pub fn on_form(&mut self, purpose: FormPurpose, form: &PaneForm, store: &mut Store) -> Effect {
        match purpose {
            FormPurpose::ExportSearchList => {
                let table = crate::paper::lists::search_results(&self.hits, false);
                super::list_export::write(store, purpose, form, table, "list:search")
            }
            FormPurpose::SearchFilter => {
                let get = |id: FieldId| form.value(id).filter(|v| *v != ANY).map(String::from);
                self.filters = Filters {
                    dong: get(FieldId::Dong),
                    stage: get(FieldId::Stage).and_then(|s| Stage::parse(&s)),
                    flag: get(FieldId::Flag),
                    category: get(FieldId::Category),
                    worker: get(FieldId::Worker),
                };
                self.searcher.invalidate();
                self.run(store);
                Effect::None
            }
            FormPurpose::Intake => self.submit_intake(form, store),
            _ => Effect::None,
        }
    }

    pub fn on_click(&mut self, row: u16, store: &mut Store) -> Effect {
        if row == 0 {
            self.typing = true;
        } else if row >= 3 && self.list.click(usize::from(row - 3), self.hits.len()) {
            self.detail = None;
        }
        let _ = store;
        Effect::None
    }
}

impl Default for SearchPane {
    fn default() -> Self {
        SearchPane::new()
    }
}

mod render;
pub(crate) use render::{name_cell, name_text};

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;
    use unicode_width::UnicodeWidthStr;

    fn text(spans: &[Span<'_>]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn long_names_are_cut_by_display_width() {
        let s = Style::default();
        assert_eq!(text(&name_cell("김민수", &[], 10, s, s)), "김민수    ");
        let long = text(&name_cell("김수한무거북이와두루미", &[0], 10, s, s));
        assert_eq!(long, "김수한무… ");
        assert_eq!(long.width(), 10);
        let latin = text(&name_cell("Nguyen Thi Hoa", &[], 10, s, s));
        assert_eq!(latin, "Nguyen T… ");
        // Exactly fitting (9 columns and the blank).
        assert_eq!(text(&name_cell("남궁민수", &[], 10, s, s)), "남궁민수  ");
    }
}

//! Application state and the one `update`: keys → actions → state changes. Rendering (in
//! [`super::ui`]) only reads this state; database work happens here, never in render.
//!
//! This file holds the state, the key loop and the dispatch of actions, effects and submitted
//! forms. Features routed through it live beside it: `discovery` (the 발굴 queue), `visits`
//! (방문 계획), `input` (paste and mouse), `reads` (the read record), `undo`, `jobs`
//! (background work) and `folder` (shared-folder sync).

use super::keymap::{Context, Keymap, Resolution, Resolver};
pub use super::panes::PaneId;
use super::panes::fields::PaneForm;
use super::panes::{self, Effect, FormPurpose, RenderCtx};
use super::theme::Theme;
use super::widgets::form::FormOutcome;
use super::widgets::help::{Help, HelpOutcome};
use super::widgets::palette::{Palette, PaletteOutcome};
use super::{Action, Key};
use crate::store::Store;
use crossterm::event::{Event, KeyEvent};

mod discovery;
mod folder;
mod input;
mod jobs;
mod reads;
mod undo;
mod visits;

/// What sits over the panes.
pub enum Overlay {
    Help(Help),
    Palette(Palette),
    Form(FormPurpose, Box<PaneForm>),
}

/// The whole application state.
pub struct App {
    pub store: Store,
    pub keymap: Keymap,
    resolver: Resolver,
    pub pane: PaneId,
    pub theme: Theme,
    pub search: panes::search::SearchPane,
    pub timeline: panes::timeline::TimelinePane,
    pub resources: panes::resources::ResourcesPane,
    pub today: panes::today::TodayPane,
    /// The sync screen, shown over the panes while `sync_open`.
    pub sync: panes::sync::SyncScreen,
    pub sync_open: bool,
    /// The audit review (admin), shown over the panes while `Some`.
    pub audit: Option<panes::audit::AuditScreen>,
    /// The 통계 screen (월별 실적 charts), shown over the panes while `Some`.
    pub stats: Option<panes::stats::StatsScreen>,
    /// The 발굴 queue, shown over the panes while `Some`.
    pub discovery: Option<panes::discovery::DiscoveryScreen>,
    /// The 방문 계획 week view and day list, shown over the panes while `Some`.
    pub visits: Option<panes::visits::VisitsScreen>,
    /// A background sync job's progress: (label, done, total).
    pub job: Option<(String, u64, u64)>,
    pub overlay: Option<Overlay>,
    /// One-line message in the status bar (errors, confirmations).
    pub message: Option<String>,
    pub pending_sync: i64,
    pub should_quit: bool,
    /// Terminal size (columns, rows), for mouse hit-testing and page sizes.
    pub size: (u16, u16),
    /// Something changed since the last frame.
    pub dirty: bool,
    /// Where background jobs report (None in tests: jobs then run inline).
    pub jobs: Option<std::sync::mpsc::Sender<super::msg::Msg>>,
    /// The last change made in this session, for undo (`u`).
    pub last_change: Option<crate::timeline::undo::Undo>,
    /// Read records of the list views (issue #20; see [`super::reads`]).
    pub reads: super::reads::ReadLog,
    /// Shared-folder sync in the background (when `setting.sync_folder` is set).
    pub folder: super::folder_sync::FolderSync,
    /// The 발굴 row an open intake form was promoted from (linked once the intake saves).
    pub pending_discovery: Option<String>,
}

impl App {
    /// A new app on an open store. Cheap: slow work (the search index) arrives later via
    /// [`App::search_index_ready`].
    pub fn new(store: Store, keymap: Keymap, theme: Theme) -> App {
        let mut app = App {
            resolver: Resolver::new(),
            pane: PaneId::Search,
            theme,
            search: panes::search::SearchPane::new(),
            timeline: panes::timeline::TimelinePane::default(),
            resources: panes::resources::ResourcesPane::default(),
            today: panes::today::TodayPane::default(),
            sync: panes::sync::SyncScreen::default(),
            sync_open: false,
            audit: None,
            stats: None,
            discovery: None,
            visits: None,
            job: None,
            overlay: None,
            message: None,
            pending_sync: 0,
            should_quit: false,
            size: (80, 24),
            dirty: true,
            jobs: None,
            last_change: None,
            reads: super::reads::ReadLog::default(),
            folder: super::folder_sync::FolderSync::from_store(&store),
            pending_discovery: None,
            store,
            keymap,
        };
        app.refresh_status();
        app.search.set_keymap(&app.keymap);
        // #16: a 팀장 sees everyone's cases in 오늘 by default (an admin keeps "mine": the
        // first operator of every file is admin, and admin is a system role, not a team one).
        if app.store.role() == crate::store::Role::Lead {
            app.today.set_scope(crate::model::Scope::All);
        }
        app
    }

    /// What the panes' render reads besides their own state.
    pub fn render_ctx(&self) -> RenderCtx<'_> {
        RenderCtx {
            theme: &self.theme,
            today: self.store.clock().today(),
            operator: self.store.operator(),
        }
    }

    /// The context keys resolve in now.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help(_)) => Context::Help,
            Some(Overlay::Palette(_)) => Context::Palette,
            Some(Overlay::Form(..)) => Context::Form,
            None if self.sync_open => Context::Sync,
            None if self.discovery.is_some() => Context::Discovery,
            None if self.visits.is_some() => Context::Visits,
            None if self.audit.is_some() || self.stats.is_some() => Context::Global,
            None => self.pane.context(),
        }
    }

    fn refresh_status(&mut self) {
        self.pending_sync = self.store.pending_sync().unwrap_or(0);
    }

    /// Handles one terminal event.
    pub fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Key(k) => self.on_key(k),
            Event::Mouse(m) => self.on_mouse(m),
            Event::Resize(w, h) => {
                self.size = (w, h);
                self.dirty = true;
            }
            Event::Paste(text) => self.on_paste(&text),
            _ => {}
        }
    }

    /// Handles one key press.
    pub fn on_key(&mut self, ev: KeyEvent) {
        let Some(key) = Key::from_event(&ev) else {
            return;
        };
        self.dirty = true;
        self.message = None;
        match self.overlay.take() {
            Some(Overlay::Form(purpose, mut form)) => {
                form.set_area(self.form_area());
                // Intake: a name pre-filled from the query is replaced by what is typed.
                if purpose == FormPurpose::Intake && self.search.replace_prefill(&mut form, key) {
                    self.overlay = Some(Overlay::Form(purpose, form));
                    return;
                }
                match form.handle_key(key, &self.keymap) {
                    FormOutcome::Submitted => self.submit_form(purpose, *form),
                    FormOutcome::Cancelled => {
                        if purpose == FormPurpose::Intake {
                            self.pending_discovery = None;
                        }
                    }
                    // Other actions (even quit) wait until the form is saved or cancelled, so
                    // nothing typed is lost by a stray key.
                    _ => self.overlay = Some(Overlay::Form(purpose, form)),
                }
            }
            Some(Overlay::Palette(mut palette)) => match palette.handle_key(key, &self.keymap) {
                PaletteOutcome::Run(action) => self.dispatch(action),
                PaletteOutcome::Close => {}
                _ => self.overlay = Some(Overlay::Palette(palette)),
            },
            Some(Overlay::Help(mut help)) => {
                let page = usize::from(self.size.1.saturating_sub(6)).max(1);
                match self.resolver.feed(&self.keymap, Context::Help, key) {
                    Resolution::Matched(action) => match help.apply(action, page) {
                        HelpOutcome::Close => {}
                        HelpOutcome::Unhandled(Action::Quit) => self.should_quit = true,
                        _ => self.overlay = Some(Overlay::Help(help)),
                    },
                    _ => self.overlay = Some(Overlay::Help(help)),
                }
            }
            None => {
                // A pane's text input (search query) takes printable keys first.
                if !self.sync_open
                    && self.audit.is_none()
                    && self.stats.is_none()
                    && self.discovery.is_none()
                    && self.visits.is_none()
                    && self.resolver.pending().is_empty()
                    && self.pane_text_input(key)
                {
                    return;
                }
                let ctx = self.context();
                if let Resolution::Matched(action) = self.resolver.feed(&self.keymap, ctx, key) {
                    self.dispatch(action);
                }
            }
        }
    }

    fn pane_text_input(&mut self, key: Key) -> bool {
        let effect = match self.pane {
            PaneId::Search => self.search.on_text(key, &mut self.store),
            PaneId::Resources => self.resources.on_text(key),
            _ => None,
        };
        match effect {
            Some(e) => {
                self.apply(e);
                true
            }
            None => false,
        }
    }

    /// Runs an action: global ones here, the rest in the current pane.
    pub fn dispatch(&mut self, action: Action) {
        self.dirty = true;
        match action {
            Action::Quit => self.should_quit = true,
            Action::Help => {
                self.overlay = Some(Overlay::Help(Help::for_state(
                    &self.keymap,
                    self.context(),
                    self.typing(),
                )))
            }
            Action::CommandPalette => {
                self.overlay = Some(Overlay::Palette(Palette::new(
                    &self.keymap,
                    self.pane.context(),
                )))
            }
            Action::PaneSearch => self.switch(PaneId::Search),
            Action::PaneTimeline => self.switch(PaneId::Timeline),
            Action::PaneResources => self.switch(PaneId::Resources),
            Action::PaneToday => self.switch(PaneId::Today),
            Action::NextPane => self.switch(PaneId::ALL[(self.pane.index() + 1) % 4]),
            Action::PrevPane => self.switch(PaneId::ALL[(self.pane.index() + 3) % 4]),
            Action::ToggleTheme => self.theme = self.theme.toggled(),
            Action::SyncScreen => {
                self.sync_open = true;
                self.resolver.reset();
                self.sync.load(&self.store);
            }
            Action::Back if self.sync_open => self.sync_open = false,
            Action::AuditLog => match panes::audit::AuditScreen::open(&self.store) {
                Ok(screen) => {
                    self.sync_open = false;
                    self.audit = Some(screen);
                }
                Err(e) => self.message = Some(e),
            },
            Action::Back if self.audit.is_some() => self.audit = None,
            Action::Stats => {
                self.sync_open = false;
                self.audit = None;
                self.resolver.reset();
                self.stats = Some(panes::stats::StatsScreen::new(self.store.clock().today()));
                self.load_stats();
            }
            Action::Back if self.stats.is_some() => self.stats = None,
            Action::Discovery => self.open_discovery(),
            Action::Back if self.discovery.is_some() => self.discovery = None,
            other if self.discovery.is_some() => self.on_discovery_action(other),
            Action::Visits => self.open_visits(),
            Action::Back if self.visits.as_mut().is_some_and(|v| v.back()) => {}
            Action::Back if self.visits.is_some() => self.visits = None,
            other if self.visits.is_some() => self.on_visits_action(other),
            other if self.stats.is_some() => {
                if self.stats.as_mut().is_some_and(|s| s.on_action(other)) {
                    self.load_stats();
                }
            }
            other if self.audit.is_some() => {
                let page = self.page_size();
                if let Some(effect) = self.audit.as_mut().map(|a| a.on_action(other, page)) {
                    self.apply(effect);
                }
            }
            other if self.sync_open => {
                let page = self.page_size();
                let effect = self.sync.on_action(other, page, &mut self.store);
                self.apply(effect);
            }
            Action::Refresh => {
                self.refresh_status();
                self.reload_pane();
            }
            Action::Undo => self.undo(),
            Action::PlanVisit if self.pane == PaneId::Timeline => self.plan_visit_on_case(),
            other => {
                let page = self.page_size();
                let effect = match self.pane {
                    PaneId::Search => self.search.on_action(other, page, &mut self.store),
                    PaneId::Timeline => self.timeline.on_action(other, page, &mut self.store),
                    PaneId::Resources => self.resources.on_action(other, page, &mut self.store),
                    PaneId::Today => {
                        if !self.today.is_loaded() && !self.today.is_loading() {
                            self.load_today();
                        }
                        self.today.on_action(other, page, &mut self.store)
                    }
                };
                if self.today.take_stale() {
                    self.load_today();
                }
                self.apply(effect);
            }
        }
    }

    /// Where a form is drawn on the current screen (see [`super::layout::form_area`]).
    fn form_area(&self) -> ratatui::layout::Rect {
        super::layout::form_area(ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1))
    }

    /// Rows in a pane's list (for page up/down).
    fn page_size(&self) -> usize {
        usize::from(self.size.1.saturating_sub(8)).max(1)
    }

    fn switch(&mut self, pane: PaneId) {
        self.sync_open = false;
        self.audit = None;
        self.stats = None;
        self.discovery = None;
        self.visits = None;
        if self.pane != pane {
            self.resolver.reset();
            self.pane = pane;
            if pane == PaneId::Search {
                self.search.on_enter();
            }
        }
        self.reload_pane();
    }

    /// Loads what the current pane shows (on entering it and on refresh).
    fn reload_pane(&mut self) {
        let result = match self.pane {
            PaneId::Search => Ok(()),
            PaneId::Timeline => self
                .timeline
                .load(&mut self.store)
                .map_err(|e| e.to_string()),
            PaneId::Resources => self.resources.load(&self.store).map_err(|e| e.to_string()),
            PaneId::Today => {
                self.load_today();
                self.today.discovery_line = panes::discovery::summary(&self.store);
                Ok(())
            }
        };
        if let Err(e) = result {
            self.message = Some(e);
        }
    }

    /// Applies what a pane asked for.
    pub fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::None => {}
            Effect::Message(m) => self.message = Some(m),
            Effect::OpenResident(resident_id) => {
                self.pane = PaneId::Timeline;
                self.resolver.reset();
                if let Err(e) = self.timeline.open_resident(&resident_id, &mut self.store) {
                    self.message = Some(e.to_string());
                }
            }
            Effect::OpenCase(case_id) => {
                self.pane = PaneId::Timeline;
                self.resolver.reset();
                if let Err(e) = self.timeline.open_case(&case_id, &mut self.store) {
                    self.message = Some(e.to_string());
                }
            }
            Effect::OpenForm(purpose, form) => {
                let mut form = form.with_hints(&self.keymap);
                form.set_area(self.form_area());
                self.overlay = Some(Overlay::Form(purpose, Box::new(form)))
            }
            Effect::Switch(pane) => self.switch(pane),
            Effect::PickResource => {
                self.switch(PaneId::Resources);
                self.message = Some("연계할 자원을 고르고 r 을 누르세요 (/ 검색)".into());
            }
            Effect::Import(job) => self.start_import(job),
            Effect::ReferTo(id, name) => match self.timeline.refer_form(&id, &name) {
                Some(effect) => self.apply(effect),
                None => {
                    self.message =
                        Some("연계할 사례를 먼저 여세요 (2 사례 화면에서 사례를 열고 r)".into())
                }
            },
            Effect::OpenCaseAt(case_id, entry_id) => {
                self.pane = PaneId::Timeline;
                self.resolver.reset();
                if let Err(e) = self
                    .timeline
                    .open_case_at(&case_id, &entry_id, &mut self.store)
                {
                    self.message = Some(e.to_string());
                }
            }
            Effect::NewCase(resident_id) => {
                self.pane = PaneId::Timeline;
                self.resolver.reset();
                match self.timeline.new_case(&resident_id, &mut self.store) {
                    Ok(m) => self.message = Some(m),
                    Err(e) => self.message = Some(e.to_string()),
                }
            }
            Effect::Changed(message, change) => {
                self.message = Some(message);
                self.last_change = Some(crate::timeline::undo::Undo::now(&self.store, change));
            }
            Effect::DiscoveryIntake(item) => {
                self.discovery = None;
                self.pane = PaneId::Search;
                self.resolver.reset();
                self.pending_discovery = Some(item.id.clone());
                let effect = self.search.intake_from_discovery(&item);
                self.apply(effect);
                return;
            }
            Effect::FormError(purpose, mut form, field, message) => {
                form.set_error(field, &message);
                form.set_area(self.form_area());
                self.message = Some(message);
                self.overlay = Some(Overlay::Form(purpose, form));
            }
        }
        self.refresh_status();
    }

    fn submit_form(&mut self, purpose: FormPurpose, form: PaneForm) {
        use panes::sync::SyncSubmit;
        match purpose {
            FormPurpose::SyncExport
            | FormPurpose::SyncPlainConfirm
            | FormPurpose::SyncImport
            | FormPurpose::SyncFolder => {
                match self.sync.on_form(purpose, form) {
                    SyncSubmit::Run(job) => self.start_sync_job(job),
                    SyncSubmit::Form(p, f) => self.apply(Effect::OpenForm(p, f)),
                    SyncSubmit::Folder(setting) => self.apply_folder_setting(setting),
                }
                return;
            }
            FormPurpose::AuditFilter => {
                if let Some(a) = &mut self.audit {
                    a.on_form(&form, &self.store);
                }
                return;
            }
            FormPurpose::PlanVisit { .. }
            | FormPurpose::PlanVisitDiscovery { .. }
            | FormPurpose::VisitDone { .. }
            | FormPurpose::ExportVisits { .. } => {
                self.submit_visit_form(purpose, form);
                return;
            }
            FormPurpose::DiscoveryOutcome { id } => {
                self.submit_discovery_outcome(&id, &form);
                return;
            }
            _ => {}
        }
        let resident_edit = matches!(purpose, FormPurpose::EditResident { .. });
        let purpose_is_intake = purpose == FormPurpose::Intake;
        let effect = match purpose.pane() {
            PaneId::Search => self.search.on_form(purpose, &form, &mut self.store),
            PaneId::Timeline => self.timeline.on_form(purpose, &form, &mut self.store),
            PaneId::Resources => self.resources.on_form(purpose, &form, &mut self.store),
            PaneId::Today => self.today.on_form(purpose, &form, &self.store),
        };
        let refused = matches!(effect, Effect::FormError(..));
        if purpose_is_intake {
            self.link_discovery(&effect);
        }
        self.apply(effect);
        if resident_edit && !refused {
            self.reindex();
        }
        self.reload_pane();
    }

    /// True while a pane's query line has focus (no overlay, screen or dialog over it): printable
    /// keys are typed text there, so hints and help show only keys that are not text.
    pub fn typing(&self) -> bool {
        if self.overlay.is_some()
            || self.sync_open
            || self.audit.is_some()
            || self.stats.is_some()
            || self.discovery.is_some()
            || self.visits.is_some()
        {
            return false;
        }
        match self.pane {
            PaneId::Search => self.search.is_typing(),
            // The resource pane shows a cursor exactly while its query line has focus.
            PaneId::Resources => self
                .resources
                .cursor(ratatui::layout::Rect::new(0, 0, 1000, 1))
                .is_some(),
            _ => false,
        }
    }
}

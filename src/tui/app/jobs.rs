//! The app's background work: loads of 오늘 and 통계, imports, sync and shared-folder passes,
//! and the search index, each on a worker thread when the app has a job channel (inline in
//! tests), and what happens when each finishes.

use super::App;
use crate::tui::panes;

impl App {
    /// (Re)loads the 오늘 pane: on a worker thread when the app has a job channel (the
    /// everyone view reads maintained tables since V_TODAY, but at 100k residents it still
    /// lists ~15k follow-ups, and a loaded PC must not block input on it), inline otherwise. The pane keeps its previous rows under "불러오는 중…" meanwhile; a newer
    /// request supersedes an older one (the older result is dropped on arrival).
    pub(super) fn load_today(&mut self) {
        let (generation, scope) = self.today.begin_load();
        if self.jobs.is_none() {
            let result = panes::today::fetch(&self.store, scope).map_err(|e| e.to_string());
            self.today_loaded(generation, result);
            return;
        }
        self.spawn_job(
            move |store, _progress| panes::today::fetch(store, scope).map_err(|e| e.to_string()),
            move |r| crate::tui::msg::Msg::TodayLoaded(generation, Box::new(r)),
            crate::tui::msg::Msg::JobProgress,
        );
    }

    /// Computes the 통계 screen's month (월별 실적): on a worker thread when the app has a job
    /// channel (1.5 s at 100k residents in a release build), inline otherwise; a newer request
    /// supersedes an older one.
    pub(super) fn load_stats(&mut self) {
        let Some((generation, month)) = self.stats.as_mut().map(|s| s.begin_load()) else {
            return;
        };
        let work = move |store: &crate::store::Store| {
            crate::paper::monthly::monthly(store, &month).map_err(|e| e.to_string())
        };
        if self.jobs.is_none() {
            let result = work(&self.store);
            self.stats_loaded(generation, result);
            return;
        }
        self.spawn_job(
            move |store, _progress| work(store),
            move |r| crate::tui::msg::Msg::StatsLoaded(generation, Box::new(r)),
            crate::tui::msg::Msg::JobProgress,
        );
    }

    /// A 통계 load finished (see [`App::load_stats`]).
    pub fn stats_loaded(
        &mut self,
        generation: u64,
        result: Result<crate::paper::monthly::MonthlyReport, String>,
    ) {
        if let Some(s) = &mut self.stats {
            s.finish_load(generation, result);
        }
        self.dirty = true;
    }

    /// A 오늘 load finished (see [`App::load_today`]); stale results are dropped.
    pub fn today_loaded(
        &mut self,
        generation: u64,
        result: Result<panes::today::TodayData, String>,
    ) {
        if let Some(e) = self.today.finish_load(generation, result) {
            self.message = Some(e);
        }
        self.dirty = true;
    }

    /// Runs an import: on a worker thread with its own connection when the app has a job
    /// channel (progress arrives as messages), inline otherwise.
    pub(super) fn start_import(&mut self, job: panes::ImportJob) {
        self.resources.import_started(job.clone());
        if self.jobs.is_none() {
            let result = job.run(&mut self.store, &mut |_, _| {});
            self.import_finished(result);
            return;
        }
        self.spawn_job(
            move |store, progress| job.run(store, progress),
            |r| crate::tui::msg::Msg::ImportDone(Box::new(r)),
            crate::tui::msg::Msg::ImportProgress,
        );
    }

    /// Runs `work` on a worker thread with its own connection to the database; progress (at
    /// most every 100 ms) and the result come back as messages.
    pub(super) fn spawn_job<T: Send + 'static>(
        &mut self,
        work: impl FnOnce(&mut crate::store::Store, &mut dyn FnMut(u64, u64)) -> Result<T, String>
        + Send
        + 'static,
        done: impl FnOnce(Result<T, String>) -> crate::tui::msg::Msg + Send + 'static,
        progress: fn(u64, u64) -> crate::tui::msg::Msg,
    ) {
        let Some(tx) = self.jobs.clone() else {
            return;
        };
        let file = self.store.file();
        let operator = self.store.operator().to_owned();
        let clock = *self.store.clock();
        std::thread::spawn(move || {
            let result = file
                .reopen(&operator, clock)
                .map_err(|e| e.to_string())
                .and_then(|mut store| {
                    let mut last = std::time::Instant::now();
                    work(&mut store, &mut |d, t| {
                        if last.elapsed().as_millis() >= 100 {
                            last = std::time::Instant::now();
                            let _ = tx.send(progress(d, t));
                        }
                    })
                });
            let _ = tx.send(done(result));
        });
    }

    /// Rebuilds the search index after bulk changes: in the background when the app runs a job
    /// channel (the old index stays usable meanwhile), inline otherwise.
    pub(super) fn reindex(&mut self) {
        match &self.jobs {
            Some(tx) => crate::tui::msg::spawn_index(tx.clone(), self.store.file()),
            None => self.search.rebuild_index(&mut self.store),
        }
    }

    /// A background import finished.
    pub fn import_finished(
        &mut self,
        result: Result<crate::resources::upsert::ImportReport, String>,
    ) {
        let residents = matches!(&result, Ok(r) if r.kind == "residents" && !r.dry_run);
        let effect = self.resources.import_done(result, &self.store);
        self.apply(effect);
        if residents {
            self.reindex();
        }
        self.dirty = true;
    }

    /// Runs a sync export/import in the background (inline without a job channel).
    pub(super) fn start_sync_job(&mut self, job: panes::sync::SyncJob) {
        let label = match &job {
            panes::sync::SyncJob::Export { out, .. } => format!("내보내는 중 {}", out.display()),
            panes::sync::SyncJob::Import { path, .. } => format!("가져오는 중 {}", path.display()),
        };
        if self.jobs.is_none() {
            let result = job.run(&mut self.store, &mut |_, _| {});
            self.sync_finished(result);
            return;
        }
        self.job = Some((label, 0, 0));
        self.spawn_job(
            move |store, progress| job.run(store, progress),
            |r| crate::tui::msg::Msg::JobDone(Box::new(r)),
            crate::tui::msg::Msg::JobProgress,
        );
    }

    /// A sync job finished: show its report and refresh what it may have changed.
    pub fn sync_finished(&mut self, result: Result<String, String>) {
        self.job = None;
        match result {
            Ok(report) => {
                self.sync.report = Some(report);
                self.reindex();
            }
            Err(e) => self.message = Some(e),
        }
        self.sync.load(&self.store);
        self.refresh_status();
        self.dirty = true;
    }

    /// The search index finished building in the background.
    pub fn search_index_ready(&mut self, index: crate::search::residents::ResidentIndex) {
        self.search.set_index(index, &mut self.store);
        // The index it replaced (a reindex) was freed here, and storing one encodes it whole.
        crate::memory::release();
        self.dirty = true;
    }
}

//! The app's shared-folder passes (#19): a tick starts one when due, at quit one more (export
//! only, at most [`QUIT_WAIT`]), and the sync pane's folder setting takes effect here. The
//! timing lives in [`crate::tui::folder_sync`]; the pass in [`crate::sync::folder`].

use super::App;
use crate::store::Store;
use crate::sync::folder::{FolderReport, NO_PEER_KEY, PassOptions, run_pass_with};
use crate::tui::folder_sync::{ACK_EVERY, FolderSync, QUIT_WAIT, QuitStep};
use crate::tui::msg::Msg;
use std::time::Instant;

impl App {
    /// This site's highest op seq (0 if unreadable).
    fn own_seq(&self) -> i64 {
        let own = self.store.site().id.clone();
        self.store
            .held_seqs()
            .ok()
            .and_then(|h| h.get(&own).copied())
            .unwrap_or(0)
    }

    /// A folder tick: starts a shared-folder pass on a worker thread when one is due (inline
    /// without a job channel).
    pub fn folder_tick(&mut self) {
        let seq = self.own_seq();
        let now = Instant::now();
        if !self.folder.due(seq, now) {
            return;
        }
        self.start_folder_pass(seq, now, false);
    }

    /// Starts a pass (marked started in the timing); on a worker thread when the app has a job
    /// channel, inline otherwise. `export_only` at quit.
    fn start_folder_pass(&mut self, seq: i64, now: Instant, export_only: bool) {
        let Some(folder) = self.folder.folder.clone() else {
            return;
        };
        self.folder.started(seq, now);
        let opts = PassOptions {
            ack_every: ACK_EVERY,
            plain: self.folder.plain,
            export_only,
        };
        let pass = move |store: &mut Store| {
            run_pass_with(store, &folder, &opts).map_err(|e| e.to_string())
        };
        if self.jobs.is_none() {
            let result = pass(&mut self.store);
            self.folder_done(result);
            return;
        }
        self.spawn_job(
            move |store, _| pass(store),
            |r| Msg::FolderDone(Box::new(r)),
            Msg::JobProgress,
        );
    }

    /// A shared-folder pass ended: a quiet mark in the status bar; what arrived is shown.
    pub fn folder_done(&mut self, result: Result<FolderReport, String>) {
        let at = chrono::Local::now().format("%H:%M").to_string();
        let arrived = matches!(&result, Ok(r) if !r.applied.is_empty());
        let no_key = matches!(&result, Ok(r) if r.warnings.iter().any(|w| w == NO_PEER_KEY));
        self.folder.finished_with(result.is_ok(), no_key, at);
        if arrived && !self.folder.quitting() {
            self.reindex();
            self.reload_pane();
        }
        self.refresh_status();
        self.dirty = true;
    }

    /// Quit was asked (`should_quit`): whether the app may leave now. With a shared folder the
    /// first call starts one last pass (export only) when this PC has something unsent, shows a
    /// message, and arms a timer; the loop calls again as messages arrive and leaves when the
    /// pass ended or [`QUIT_WAIT`] passed — a missing or hung folder never holds the app, and
    /// what was not sent goes at the next start.
    pub fn ready_to_quit(&mut self) -> bool {
        let first = !self.folder.quitting();
        let seq = self.own_seq();
        let now = Instant::now();
        let step = self.folder.quit_step(seq, now);
        if step == QuitStep::Done {
            return true;
        }
        if first {
            self.message = Some(FolderSync::quit_message());
            self.dirty = true;
            if let Some(tx) = self.jobs.clone() {
                // Wakes the loop at the deadline even if the pass never reports.
                std::thread::spawn(move || {
                    std::thread::sleep(QUIT_WAIT + std::time::Duration::from_millis(20));
                    let _ = tx.send(Msg::FolderTick);
                });
            }
        }
        if step == QuitStep::Start {
            self.start_folder_pass(seq, now, true);
            // Inline (no job channel) it has ended already.
            return self.folder.quit_step(seq, Instant::now()) == QuitStep::Done;
        }
        false
    }

    /// The sync pane's folder setting: `None` clears it. The folder was checked by the pane;
    /// saved as `dolbom sync folder PATH --remember` saves it, and a pass is asked for at once.
    pub fn set_folder(
        &mut self,
        folder: Option<std::path::PathBuf>,
        every_secs: u64,
    ) -> Result<(), String> {
        let text = folder
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        self.store
            .set_sync_folder(&text)
            .and_then(|()| self.store.set_sync_folder_every(every_secs))
            .map_err(|e| format!("공유 폴더 설정을 저장하지 못했습니다: {e}"))?;
        self.folder.folder = folder;
        self.folder.period = std::time::Duration::from_secs(every_secs);
        self.folder.failed = false;
        self.folder.no_key = false;
        self.folder.request();
        if self.folder.folder.is_some() && !self.folder.ticking {
            // The tick thread starts with the loop only when a folder is set; it stops with
            // the loop (with no folder a tick does nothing).
            if let Some(tx) = self.jobs.clone() {
                self.folder.ticking = true;
                crate::tui::msg::spawn_folder_ticks(tx);
            }
        }
        if self.jobs.is_none() {
            self.folder_tick();
        }
        self.refresh_status();
        self.dirty = true;
        Ok(())
    }
}

impl App {
    /// A submitted shared-folder form (the sync pane's `f`): the plain-bundle choice (팀장 or
    /// 관리자, when it changes), then the folder and interval; a message says what now holds.
    pub(super) fn apply_folder_setting(&mut self, setting: crate::tui::panes::sync::FolderSetting) {
        use crate::sync::folder::PLAIN_SETTING;
        if setting.plain != self.folder.plain {
            let value = if setting.plain { "1" } else { "0" };
            if let Err(e) = self.store.set_setting(PLAIN_SETTING, value) {
                self.message = Some(format!(
                    "암호화 없이 보내기 설정은 팀장·관리자만 바꿀 수 있습니다: {e}"
                ));
                self.dirty = true;
                return;
            }
            self.folder.plain = setting.plain;
        }
        let text = match &setting.folder {
            Some(p) => format!(
                "공유 폴더 {}에 {}초마다 동기화합니다",
                p.display(),
                setting.every_secs
            ),
            None => "공유 폴더 동기화를 껐습니다".to_string(),
        };
        let result = self.set_folder(setting.folder, setting.every_secs);
        self.message = Some(result.err().unwrap_or(text));
        self.sync.load(&self.store);
        self.dirty = true;
    }
}

//! The sync screen (F6 or the palette): this site and its keys, peers with their last exchange
//! and pending ops, bundle export/import with a file prompt (run in the background with a
//! gauge), and the conflicts review where staff keep the current value or restore the other
//! (a restore is a new edit, so it syncs too).

use super::fields::{FieldId, PaneForm, TrustNew};
use super::{Effect, FormPurpose, ListState, RenderCtx, below, cell};
use crate::store::Store;
use crate::sync::conflicts::{ConflictView, describe};
use crate::sync::{Conflict, Resolution, SyncStatus};
use crate::tui::Action;
use crate::tui::widgets::form::{Choice, Field};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// How an exported bundle is protected. There is no "no passphrase means plain": a plain
/// bundle is only made after its own choice and a confirm step.
#[derive(Debug, Clone)]
pub enum Protection {
    /// age with a passphrase typed twice.
    Passphrase(String),
    /// age to the receiving site's key (`age1…`, recorded with `dolbom sync peer add`).
    Recipient(String),
    /// Not encrypted (still signed): chosen explicitly and confirmed.
    Plain,
}

/// The export form's encryption choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportEncryption {
    Passphrase,
    PeerKey,
    Plain,
}

impl Choice for ExportEncryption {
    fn all() -> &'static [ExportEncryption] {
        &[
            ExportEncryption::Passphrase,
            ExportEncryption::PeerKey,
            ExportEncryption::Plain,
        ]
    }
    fn label(self) -> &'static str {
        match self {
            ExportEncryption::Passphrase => "암호문으로 암호화 (권장)",
            ExportEncryption::PeerKey => "받는 기관의 공개키로 암호화",
            ExportEncryption::Plain => "암호화 안 함 — 개인정보가 그대로 담김",
        }
    }
}

/// The confirm step's answer; the safe one comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainAnswer {
    Back,
    Write,
}

impl Choice for PlainAnswer {
    fn all() -> &'static [PlainAnswer] {
        &[PlainAnswer::Back, PlainAnswer::Write]
    }
    fn label(self) -> &'static str {
        match self {
            PlainAnswer::Back => "아니요, 돌아가서 암호화",
            PlainAnswer::Write => "예, 암호화 없이 쓰기",
        }
    }
}

/// The shared-folder form's choice for when no team PC's key is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderPlain {
    Refuse,
    Plain,
}

impl Choice for FolderPlain {
    fn all() -> &'static [FolderPlain] {
        &[FolderPlain::Refuse, FolderPlain::Plain]
    }
    fn label(self) -> &'static str {
        match self {
            FolderPlain::Refuse => "보내지 않음 (권장)",
            FolderPlain::Plain => "암호화 없이 보내기 — 개인정보가 그대로 담김",
        }
    }
}

/// The shared-folder setting a submitted form asks for (checked: the folder exists and takes
/// a file; the interval is in range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderSetting {
    /// `None`: folder sync off.
    pub folder: Option<std::path::PathBuf>,
    pub every_secs: u64,
    /// Plain (signed-only) bundles when no team PC's key is known.
    pub plain: bool,
}

/// What a submitted sync form leads to.
pub enum SyncSubmit {
    /// Run this job.
    Run(SyncJob),
    /// Show this form (the same one with a message at a field, or the next step).
    Form(FormPurpose, PaneForm),
    /// Save this shared-folder setting (the app applies it to the background passes).
    Folder(FolderSetting),
}

/// A sync job the screen asks the app to run in the background.
#[derive(Debug, Clone)]
pub enum SyncJob {
    Export {
        out: std::path::PathBuf,
        to: Option<String>,
        protection: Protection,
    },
    Import {
        path: std::path::PathBuf,
        passphrase: Option<String>,
        trust: bool,
    },
}

impl SyncJob {
    /// Runs the job; the result is the report text.
    pub fn run(
        &self,
        store: &mut Store,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<String, String> {
        use crate::sync::{self, Encryption};
        let secret = |p: &Option<String>| p.clone().map(age::secrecy::SecretString::from);
        match self {
            SyncJob::Export {
                out,
                to,
                protection,
            } => {
                let encryption = match protection {
                    Protection::Passphrase(p) => {
                        Encryption::passphrase(age::secrecy::SecretString::from(p.clone()))
                    }
                    Protection::Recipient(r) => Encryption::Recipients(vec![
                        crate::sync::keys::parse_recipient(r).map_err(|e| e.to_string())?,
                    ]),
                    Protection::Plain => Encryption::Plain,
                };
                let opts = sync::ExportOptions {
                    out: out.clone(),
                    to: to.clone(),
                    full: to.is_none(),
                    encryption,
                };
                sync::export_bundle(store, &opts, &mut |n| progress(n, 0))
                    .map(|r| crate::cli::sync::export_text(&r))
                    .map_err(|e| e.to_string())
            }
            SyncJob::Import {
                path,
                passphrase,
                trust,
            } => {
                let opts = sync::ImportOptions {
                    passphrase: secret(passphrase),
                    trust: *trust,
                    dry_run: false,
                };
                sync::import_bundle(store, path, &opts, progress)
                    .map(|r| crate::cli::sync::import_text(&r))
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// The site id of the export form's chosen peer (`None`: everything, for a first exchange).
fn peer_of(form: &PaneForm) -> Option<String> {
    form.value(FieldId::Peer)
        .map(str::trim)
        .filter(|p| !p.is_empty() && !p.starts_with('('))
        .and_then(|p| p.rsplit(' ').next().map(String::from))
}

/// The confirm step before a plain bundle: what it means, and "no" first.
fn plain_confirm() -> PaneForm {
    PaneForm::new(
        "경고: 암호화 안 된 묶음 — 주민 개인정보가 그대로 담깁니다",
        vec![Field::choice_of::<PlainAnswer>(
            FieldId::ConfirmPlain,
            "그래도 쓸까요",
        )],
    )
}

#[derive(Default)]
pub struct SyncScreen {
    status: Option<SyncStatus>,
    conflicts: Vec<Conflict>,
    /// The conflicts by name and Korean labels, read when loaded (render does no I/O).
    views: Vec<ConflictView>,
    show_conflicts: bool,
    list: ListState,
    /// The last job's report.
    pub report: Option<String>,
    error: Option<String>,
    /// The export form waiting for the plain-bundle confirm step (shown again on "no").
    pending_plain: Option<PaneForm>,
    /// Peers' age recipients (site id → `age1…`), read when loaded.
    recipients: std::collections::BTreeMap<String, String>,
    /// The shared-folder setting, read when loaded.
    folder: Option<FolderSetting>,
}

impl SyncScreen {
    pub fn load(&mut self, store: &Store) {
        match crate::sync::status(store).and_then(|s| Ok((s, crate::sync::open_conflicts(store)?)))
        {
            Ok((s, c)) => {
                self.folder = Some(FolderSetting {
                    folder: store
                        .sync_folder()
                        .ok()
                        .flatten()
                        .map(std::path::PathBuf::from),
                    every_secs: store
                        .sync_folder_every()
                        .ok()
                        .flatten()
                        .unwrap_or(crate::tui::folder_sync::PERIOD.as_secs()),
                    plain: crate::sync::folder::plain_allowed(store).unwrap_or(false),
                });
                self.recipients = store
                    .peers()
                    .map(|peers| {
                        peers
                            .into_iter()
                            .filter_map(|p| p.age_recipient.map(|r| (p.site_id, r)))
                            .collect()
                    })
                    .unwrap_or_default();
                self.status = Some(s);
                self.views = c.iter().map(|c| describe(store, c)).collect();
                self.conflicts = c;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.list.selected = self
            .list
            .selected
            .min(self.conflicts.len().saturating_sub(1));
    }

    pub fn on_action(&mut self, action: Action, page: usize, store: &mut Store) -> Effect {
        if self.show_conflicts && self.list.apply(action, self.conflicts.len(), page) {
            self.list.scroll_to(self.conflicts.len(), page);
            return Effect::None;
        }
        match action {
            Action::ShowConflicts => {
                self.show_conflicts = !self.show_conflicts;
                self.list = ListState::default();
            }
            Action::KeepCurrent | Action::RestoreOther if self.show_conflicts => {
                let Some(c) = self.conflicts.get(self.list.selected) else {
                    return Effect::Message("검토할 충돌이 없습니다".into());
                };
                let how = if action == Action::KeepCurrent {
                    Resolution::KeepCurrent
                } else {
                    Resolution::RestoreOther
                };
                let id = c.id.clone();
                if let Err(e) = crate::sync::resolve_conflict(store, &id, how) {
                    return Effect::Message(e.to_string());
                }
                self.load(store);
                return Effect::Message(match how {
                    Resolution::KeepCurrent => "현재 값을 유지했습니다 (동기화됩니다)".into(),
                    Resolution::RestoreOther => "다른 값으로 복원했습니다 (동기화됩니다)".into(),
                });
            }
            Action::SyncExport => {
                let mut peers = vec!["(전체 — 처음 보내는 기관)".to_string()];
                if let Some(s) = &self.status {
                    peers.extend(s.peers.iter().map(|p| format!("{} {}", p.name, p.site_id)));
                }
                let refs: Vec<&str> = peers.iter().map(String::as_str).collect();
                let file = format!("dolbom-{}.bundle", store.clock().today().format("%Y%m%d"));
                return Effect::OpenForm(
                    FormPurpose::SyncExport,
                    PaneForm::new(
                        "동기화 묶음 내보내기 (USB·공유 폴더)",
                        vec![
                            Field::text(FieldId::File, "파일")
                                .required()
                                .with_value(&file),
                            Field::choice(FieldId::Peer, "받는 기관", &refs),
                            Field::choice_of::<ExportEncryption>(FieldId::Encryption, "보호"),
                            Field::secret(FieldId::Passphrase, "암호문"),
                            Field::secret(FieldId::PassphraseAgain, "암호문 확인"),
                        ],
                    ),
                );
            }
            Action::SyncImport => {
                // Refused before the form, like the resources import; the library checks
                // again when the bundle is merged.
                if let Err(e) = store.require_admin("sync import (TUI)") {
                    return Effect::Message(match e {
                        crate::store::StoreError::Denied { role, audited, .. } => format!(
                            "동기화 가져오기는 관리자만 할 수 있습니다 ({}: {}){}",
                            store.operator(),
                            role.label(),
                            if audited {
                                ""
                            } else {
                                " — 거부 기록을 감사 로그에 남기지 못했습니다"
                            }
                        ),
                        other => format!("가져오기를 확인하지 못했습니다: {other}"),
                    });
                }
                return Effect::OpenForm(
                    FormPurpose::SyncImport,
                    PaneForm::new(
                        "동기화 묶음 가져오기",
                        vec![
                            Field::text(FieldId::File, "파일").required(),
                            Field::secret(FieldId::Passphrase, "암호문 (암호문 묶음일 때)"),
                            Field::choice_of::<TrustNew>(FieldId::TrustNew, "처음 받는 기관"),
                        ],
                    ),
                );
            }
            Action::SyncFolder => {
                return Effect::OpenForm(FormPurpose::SyncFolder, self.folder_form());
            }
            Action::Refresh => self.load(store),
            _ => {}
        }
        Effect::None
    }

    /// The shared-folder form, filled with the current setting.
    fn folder_form(&self) -> PaneForm {
        let current = self.folder.clone().unwrap_or(FolderSetting {
            folder: None,
            every_secs: crate::tui::folder_sync::PERIOD.as_secs(),
            plain: false,
        });
        let path = current
            .folder
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let plain = if current.plain {
            FolderPlain::Plain
        } else {
            FolderPlain::Refuse
        };
        PaneForm::new(
            "공유 폴더 동기화 (비우면 끔)",
            vec![
                Field::text(FieldId::Folder, "공유 폴더").with_value(&path),
                Field::text(FieldId::FolderEvery, "주기(초)")
                    .with_value(&current.every_secs.to_string()),
                Field::choice_of::<FolderPlain>(FieldId::FolderPlain, "팀 PC 키 없을 때")
                    .with_value(plain.label()),
            ],
        )
    }

    /// A submitted shared-folder form: the setting, or the form again with a message naming the
    /// folder that does not exist or does not take files, or the interval out of range.
    fn on_folder_form(mut form: PaneForm) -> SyncSubmit {
        let path = form.value(FieldId::Folder).unwrap_or("").trim().to_string();
        let every = form
            .value(FieldId::FolderEvery)
            .unwrap_or("")
            .trim()
            .to_string();
        let range = crate::tui::folder_sync::PERIOD_RANGE;
        let every_secs = if every.is_empty() {
            crate::tui::folder_sync::PERIOD.as_secs()
        } else {
            match every.parse::<u64>() {
                Ok(n) if range.contains(&n) => n,
                _ => {
                    form.set_error(
                        FieldId::FolderEvery,
                        &format!(
                            "주기는 {}–{}초 사이의 숫자로 적으세요",
                            range.start(),
                            range.end()
                        ),
                    );
                    return SyncSubmit::Form(FormPurpose::SyncFolder, form);
                }
            }
        };
        let folder = if path.is_empty() {
            None
        } else {
            let p = std::path::PathBuf::from(&path);
            if let Err(e) = crate::sync::folder::check_folder(&p) {
                form.set_error(FieldId::Folder, &e.to_string());
                return SyncSubmit::Form(FormPurpose::SyncFolder, form);
            }
            Some(p)
        };
        SyncSubmit::Folder(FolderSetting {
            folder,
            every_secs,
            plain: form.chosen(FieldId::FolderPlain) == Some(FolderPlain::Plain),
        })
    }

    /// A submitted export/import form: the job to run, or a form to show again (a message at
    /// the field that needs it) or next (the plain-bundle confirm step).
    pub fn on_form(&mut self, purpose: FormPurpose, mut form: PaneForm) -> SyncSubmit {
        let text = |form: &PaneForm, id: FieldId| {
            form.value(id)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if purpose == FormPurpose::SyncPlainConfirm {
            return self.on_plain_confirm(&form);
        }
        if purpose == FormPurpose::SyncFolder {
            return Self::on_folder_form(form);
        }
        let Some(file) = text(&form, FieldId::File) else {
            form.set_error(FieldId::File, "파일 이름을 입력하세요");
            return SyncSubmit::Form(purpose, form);
        };
        match purpose {
            FormPurpose::SyncExport => {
                let to = peer_of(&form);
                let peer_key = to.as_ref().and_then(|p| self.recipients.get(p)).cloned();
                // Not trimmed: spaces are part of a passphrase.
                let first = form.value(FieldId::Passphrase).unwrap_or("").to_string();
                let again = form.value(FieldId::PassphraseAgain).unwrap_or("");
                let protection = match (form.chosen(FieldId::Encryption), peer_key) {
                    (Some(ExportEncryption::Plain), _) => {
                        self.pending_plain = Some(form);
                        return SyncSubmit::Form(FormPurpose::SyncPlainConfirm, plain_confirm());
                    }
                    (Some(ExportEncryption::PeerKey), Some(r)) => Protection::Recipient(r),
                    (Some(ExportEncryption::PeerKey), None) => {
                        let why = if to.is_none() {
                            "받는 기관을 고르세요 (공개키로 암호화할 기관)"
                        } else {
                            "이 기관의 공개키가 없습니다: dolbom sync peer add 로 저장하거나 \
                                 암호문을 고르세요"
                        };
                        form.set_error(FieldId::Peer, why);
                        return SyncSubmit::Form(purpose, form);
                    }
                    // The default: to the receiving site's key when it is known and no
                    // passphrase was typed, else a passphrase typed twice.
                    (_, Some(r)) if first.is_empty() && again.is_empty() => {
                        Protection::Recipient(r)
                    }
                    _ => {
                        if first.is_empty() {
                            form.set_error(
                                FieldId::Passphrase,
                                "암호문을 입력하세요 (받는 기관에 따로 알려 줄 것)",
                            );
                            return SyncSubmit::Form(purpose, form);
                        }
                        if first != again {
                            form.set_error(
                                FieldId::PassphraseAgain,
                                "암호문이 서로 다릅니다. 다시 입력하세요",
                            );
                            return SyncSubmit::Form(purpose, form);
                        }
                        Protection::Passphrase(first)
                    }
                };
                SyncSubmit::Run(SyncJob::Export {
                    out: file.into(),
                    to,
                    protection,
                })
            }
            _ => SyncSubmit::Run(SyncJob::Import {
                path: file.into(),
                passphrase: text(&form, FieldId::Passphrase),
                trust: form.chosen(FieldId::TrustNew) == Some(TrustNew::Trust),
            }),
        }
    }

    /// The confirm step's answer: the plain export as asked, or back to the export form.
    fn on_plain_confirm(&mut self, confirm: &PaneForm) -> SyncSubmit {
        let Some(export) = self.pending_plain.take() else {
            return SyncSubmit::Form(FormPurpose::SyncPlainConfirm, plain_confirm());
        };
        let file = export.value(FieldId::File).map(str::trim).unwrap_or("");
        if confirm.chosen(FieldId::ConfirmPlain) != Some(PlainAnswer::Write) || file.is_empty() {
            return SyncSubmit::Form(FormPurpose::SyncExport, export);
        }
        SyncSubmit::Run(SyncJob::Export {
            out: file.into(),
            to: peer_of(&export),
            protection: Protection::Plain,
        })
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, cx: &RenderCtx<'_>) {
        let t = cx.theme;
        if area.height < 3 {
            return;
        }
        let mut lines = vec![Line::styled(
            "동기화 — e 내보내기 · i 가져오기 · c 충돌 검토 · f 공유 폴더 · esc 닫기",
            t.title,
        )];
        if let Some(e) = &self.error {
            lines.push(Line::styled(e.clone(), t.danger));
        }
        if let Some(s) = &self.status {
            lines.push(Line::raw(format!(
                "이 기관: {} ({}) · 미해결 충돌 {}",
                s.site.site_name,
                s.site.site_id.get(..8).unwrap_or(&s.site.site_id),
                s.unresolved_conflicts
            )));
            lines.push(Line::styled(format!("  {}", s.site.recipient), t.dim));
            if let Some(fs) = &self.folder {
                lines.push(match &fs.folder {
                    Some(p) => Line::raw(format!(
                        "공유 폴더: {} · {}초마다{} — f 바꾸기",
                        p.display(),
                        fs.every_secs,
                        if fs.plain {
                            " · 키 없으면 암호화 없이"
                        } else {
                            ""
                        }
                    )),
                    None => Line::styled("공유 폴더: 없음 — f 로 설정", t.dim),
                });
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!(
                    "{}{}{}{}{}",
                    cell("상대 기관", 16),
                    cell("신뢰·공개키", 14),
                    cell("마지막 가져옴", 21),
                    cell("마지막 보냄", 21),
                    "보낼 것"
                ),
                t.dim,
            ));
            if s.peers.is_empty() {
                lines.push(Line::styled(
                    "아직 주고받은 기관이 없습니다. e 로 전체 묶음을 만들어 전달하세요.",
                    t.dim,
                ));
            }
            for p in &s.peers {
                lines.push(Line::raw(format!(
                    "{}{}{}{}{}",
                    cell(&p.name, 16),
                    // 공개키: bundles can be encrypted to this peer (`sync peer add`).
                    cell(
                        &format!(
                            "{}{}",
                            if p.trusted { "예" } else { "아니요" },
                            if self.recipients.contains_key(&p.site_id) {
                                " · 있음"
                            } else {
                                ""
                            }
                        ),
                        14
                    ),
                    cell(p.last_import_at.as_deref().unwrap_or("-"), 21),
                    cell(p.last_export_at.as_deref().unwrap_or("-"), 21),
                    p.pending_ops
                )));
            }
        } else if self.error.is_none() {
            lines.push(Line::styled("불러오는 중…", t.dim));
        }
        if let Some(r) = &self.report {
            lines.push(Line::raw(""));
            lines.extend(r.lines().take(6).map(|l| Line::styled(l.to_string(), t.ok)));
        }
        let head = (lines.len() as u16 + 1).min(area.height);
        f.render_widget(
            Paragraph::new(lines),
            Rect::new(area.x, area.y, area.width, head),
        );
        if !self.show_conflicts {
            return;
        }
        let list = below(area, head);
        let rows = usize::from(list.height.saturating_sub(1));
        let mut out = vec![Line::styled(
            format!(
                "충돌 {}건 — K 현재 값 유지 · R 다른 값으로 복원",
                self.conflicts.len()
            ),
            t.title,
        )];
        if !self.views.is_empty() {
            out.push(Line::styled(
                format!("{}항목: 현재 값 ← 다른 기관 값", cell("주민", 12)),
                t.dim,
            ));
        }
        let rows = rows.saturating_sub(1);
        let from = self.list.visible_from(self.views.len(), rows);
        for (i, v) in self.views.iter().enumerate().skip(from).take(rows) {
            let style = if i == self.list.selected {
                t.selected
            } else {
                t.base
            };
            out.push(Line::styled(
                format!("{}{}", cell(&v.who, 12), v.what),
                style,
            ));
        }
        f.render_widget(Paragraph::new(out), list);
    }
}

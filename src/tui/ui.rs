//! Drawing the frame: tab bar, the current pane, status bar, overlays. Reads state only.

use super::Action;
use super::app::{App, Overlay};
use super::keymap::Context;
use super::panes::PaneId;
use super::widgets::{centered, fit};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

pub use super::layout::{AppLayout, MIN_HEIGHT, MIN_WIDTH, TAB_GAP, form_area, layout, tab_at};

/// Draws the whole screen.
pub fn render(f: &mut Frame<'_>, app: &App) {
    let area = f.area();
    f.render_widget(Block::new().style(app.theme.base), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area, app);
        return;
    }
    let l = layout(area);
    tab_bar(f, l.tabs, app);
    let cx = app.render_ctx();
    match app.pane {
        _ if app.visits.is_some() => {
            if let Some(v) = &app.visits {
                v.render(f, l.main, &app.theme);
            }
        }
        _ if app.discovery.is_some() => {
            if let Some(d) = &app.discovery {
                d.render(f, l.main, &app.theme);
            }
        }
        _ if app.stats.is_some() => {
            if let Some(s) = &app.stats {
                s.render(f, l.main, &app.theme);
            }
        }
        _ if app.audit.is_some() => {
            if let Some(a) = &app.audit {
                a.render(f, l.main, &app.theme);
            }
        }
        _ if app.sync_open => {
            app.sync.render(f, l.main, &app.render_ctx());
            if let Some((label, done, total)) = &app.job {
                let ratio = if *total > 0 {
                    (*done as f64 / *total as f64).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let text = if *total > 0 {
                    format!("{label} {done}/{total}")
                } else {
                    format!("{label} {done}")
                };
                let r = Rect::new(
                    l.main.x,
                    l.main.bottom().saturating_sub(1),
                    l.main.width,
                    1.min(l.main.height),
                );
                f.render_widget(
                    ratatui::widgets::Gauge::default()
                        .gauge_style(app.theme.accent)
                        .ratio(ratio)
                        .label(text),
                    r,
                );
            }
        }
        PaneId::Search => app.search.render(f, l.main, &cx),
        PaneId::Timeline => app.timeline.render(f, l.main, &cx),
        PaneId::Resources => app.resources.render(f, l.main, &cx),
        PaneId::Today => app.today.render(f, l.main, &cx),
    }
    status_bar(f, l.status, app);
    match &app.overlay {
        Some(Overlay::Help(h)) => f.render_widget(h, l.main),
        Some(Overlay::Palette(p)) => {
            f.render_widget(p, l.main);
            if let Some(pos) = p.cursor_position(l.main) {
                f.set_cursor_position(pos);
            }
        }
        Some(Overlay::Form(_, form)) => {
            let r = form_area(area);
            f.render_widget(Clear, r);
            f.render_widget(form.as_ref(), r);
            if let Some(pos) = form.cursor_position(r) {
                f.set_cursor_position(pos);
            }
        }
        None => {
            let cursor = match app.pane {
                PaneId::Search => app.search.cursor(l.main),
                PaneId::Resources => app.resources.cursor(l.main),
                _ => None,
            };
            if let Some(pos) = cursor {
                f.set_cursor_position(pos);
            }
        }
    }
}

fn too_small(f: &mut Frame<'_>, area: Rect, app: &App) {
    let msg = format!("창을 키워 주세요 (최소 {MIN_WIDTH}×{MIN_HEIGHT})");
    let lines: Vec<Line> = [msg.as_str(), &format!("{}×{}", area.width, area.height)]
        .iter()
        .map(|s| Line::styled(fit(s, 0, usize::from(area.width)), app.theme.warn))
        .collect();
    let r = centered(area, area.width, 2.min(area.height));
    f.render_widget(Paragraph::new(lines).centered(), r);
}

fn tab_bar(f: &mut Frame<'_>, area: Rect, app: &App) {
    let mut spans = Vec::new();
    for p in PaneId::ALL {
        let style = if p == app.pane {
            app.theme.tab_active
        } else {
            app.theme.tab
        };
        spans.push(Span::styled(format!(" {} ", p.title()), style));
        spans.push(Span::raw(" ".repeat(usize::from(TAB_GAP))));
    }
    let site = app.store.site().name.clone();
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    let room = usize::from(area.width).saturating_sub(used + 1);
    if room > 4 {
        let s = fit(&site, 0, room);
        spans.push(Span::raw(" ".repeat(room - s.width())));
        spans.push(Span::styled(s, app.theme.title));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Status bar: operator · pending sync (or a message) │ key hints for the state the screen is
/// in. Hints are whole `key 설명` pairs (never cut mid-way) and get the room first; the left part
/// takes what is left (the site's name is on the tab bar). A message keeps its room.
fn status_bar(f: &mut Frame<'_>, area: Rect, app: &App) {
    let file = app
        .store
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let width = usize::from(area.width);
    let (left, hints) = match &app.message {
        Some(m) => {
            // The message first (Korean first: English glosses go before it is cut), then the
            // hints that still fit (help at least, when the message leaves room).
            let left = format!(" {m}");
            let short = format!(
                " {}",
                super::widgets::korean_fit(m, width.saturating_sub(14))
            );
            let hints = hint_line(&key_hints(app), width.saturating_sub(short.width() + 2));
            let left = if left.width() + hints.width() + 2 <= width {
                left
            } else {
                format!(
                    " {}",
                    super::widgets::korean_fit(m, width.saturating_sub(hints.width() + 3))
                )
            };
            (left, hints)
        }
        None => {
            let hints = hint_line(&key_hints(app), width.saturating_sub(12));
            let room = width.saturating_sub(hints.width() + 2);
            let (op, n) = (app.store.operator(), app.pending_sync);
            let folder = app
                .folder
                .status()
                .map(|s| format!(" · {s}"))
                .unwrap_or_default();
            // The longest that fits, whole: the site's name is on the tab bar already.
            let short = app
                .folder
                .status_short()
                .map(|s| format!(" {s}"))
                .unwrap_or_default();
            let left = [
                format!(" {op} · {file} · 동기화 대기 {n}{folder}"),
                format!(" {op} · 동기화 대기 {n}{folder}"),
                format!(" 동기화 대기 {n}{folder}"),
                format!(" 대기 {n}{folder}"),
                format!(" 대기 {n}{short}"),
                format!(" {op} · {file} · 동기화 대기 {n}"),
                format!(" {op} · 동기화 대기 {n}"),
                format!(" 동기화 대기 {n}"),
                format!(" 대기 {n}"),
            ]
            .into_iter()
            .find(|l| l.width() <= room)
            .unwrap_or_default();
            (left, hints)
        }
    };
    let pad = width.saturating_sub(left.width() + hints.width() + 1);
    let line = Line::from(vec![
        Span::styled(
            left,
            if app.message.is_some() {
                app.theme.warn.patch(app.theme.status)
            } else {
                app.theme.status
            },
        ),
        Span::styled(" ".repeat(pad), app.theme.status),
        Span::styled(format!("{hints} "), app.theme.status),
    ]);
    f.render_widget(Paragraph::new(line).style(app.theme.status), area);
}

/// The hints that fit in `width` columns, joined: whole pairs only, dropping from the end
/// (help is kept as long as anything fits).
pub fn hint_line(hints: &[Hint], width: usize) -> String {
    let mut shown: Vec<&Hint> = hints.iter().collect();
    let text = |v: &[&Hint]| {
        v.iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
            .join("  ")
    };
    while text(&shown).width() > width && !shown.is_empty() {
        let drop = shown
            .iter()
            .rposition(|h| h.action != Action::Help)
            .unwrap_or(shown.len() - 1);
        shown.remove(drop);
    }
    text(&shown)
}

/// One status-bar hint: a key that works in the state the screen is in, what it runs, and a
/// short label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The key as keymaps write it (`ctrl-n`, `/`).
    pub key: String,
    /// What pressing it does.
    pub action: Action,
    /// Short Korean label.
    pub label: &'static str,
}

impl std::fmt::Display for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.key, self.label)
    }
}

/// The most useful keys of the current context that work right now, from the active keymap and
/// the focus state: while a query line has focus only keys that are not text are offered
/// (`ctrl-n 접수`, `esc 목록`), with the list focused the letter keys (`n 접수`, `/ 검색`); pane
/// commands that need an open case show only when one is open.
pub fn key_hints(app: &App) -> Vec<Hint> {
    let ctx = app.context();
    let typing = app.typing();
    if app.stats.is_some() && app.overlay.is_none() {
        let mut v = pairs(
            app,
            ctx,
            false,
            &[Action::Left, Action::Right, Action::Back],
        );
        v.extend(common_hints(app, ctx, false));
        return v;
    }
    let case_open = app.timeline.current_case().is_some();
    // Keys that act on the selected row are offered only when there is one (#12: "enter 열기"
    // on an empty list does nothing).
    let has_hit = app.search.selected().is_some();
    let select = |on: bool| on.then_some(Action::Select);
    let wanted: Vec<Action> = match ctx {
        Context::Search if typing => [
            select(has_hit),
            Some(Action::NewIntake),
            Some(Action::Filter),
            Some(Action::Back),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Context::Search => [
            Some(Action::FocusSearch),
            select(has_hit),
            Some(Action::NewIntake),
            Some(Action::Filter),
        ]
        .into_iter()
        .flatten()
        .collect(),
        // #16: a case waiting for 결재 offers 승인 / 반려 first.
        Context::Timeline
            if case_open
                && app.timeline.can_decide_approval(app.store.operator())
                && app.store.role() >= crate::store::Role::Lead =>
        {
            vec![
                Action::Approve,
                Action::ReturnApproval,
                Action::AddEntry,
                Action::ChangeStage,
            ]
        }
        Context::Timeline if case_open => {
            vec![
                Action::AddEntry,
                Action::ChangeStage,
                Action::Refer,
                Action::TransferCase,
            ]
        }
        // #16: with cases marked (space), A hands them over.
        Context::Timeline if app.timeline.marked_count() > 0 => {
            let mut v = pairs(app, ctx, typing, &[Action::Handover]);
            if let Some(key) = app.keymap.hint_when(ctx, Action::Detail, typing) {
                v.push(Hint {
                    key,
                    action: Action::Detail,
                    label: "표시",
                });
            }
            v.extend(common_hints(app, ctx, typing));
            return v;
        }
        // A resident's case list without a case: ctrl-o opens one (enter has nothing to open).
        Context::Timeline if app.timeline.list_is_empty() && app.timeline.resident().is_some() => {
            vec![Action::OpenCase, Action::Back]
        }
        Context::Timeline if app.timeline.list_is_empty() => vec![Action::Back],
        Context::Timeline => vec![Action::Select],
        // The resource pane's query line leaves on esc (and enter), whatever the keymap says.
        Context::Resources if typing => {
            let mut v = vec![Hint {
                key: "esc".into(),
                action: Action::Back,
                label: "목록",
            }];
            v.extend(common_hints(app, ctx, typing));
            return v;
        }
        Context::Resources => {
            let has = app.resources.selected().is_some();
            [
                Some(Action::FocusSearch),
                has.then_some(Action::Detail),
                (has && case_open).then_some(Action::Refer),
            ]
            .into_iter()
            .flatten()
            .collect()
        }
        Context::Today if app.today.selected_is_approval() => {
            vec![Action::Approve, Action::ReturnApproval, Action::Select]
        }
        Context::Today if app.today.selected_is_item() => {
            let mut v = vec![Action::Select];
            if app.today.selected_entry().is_some() {
                v.push(Action::FollowUpDone);
            }
            v.extend([Action::ToggleScope, Action::Stats, Action::Visits]);
            v
        }
        Context::Today => vec![Action::ToggleScope, Action::Stats, Action::Visits],
        Context::Discovery => vec![
            Action::Select,
            Action::SetOutcome,
            Action::PlanVisit,
            Action::ToggleScope,
        ],
        Context::Visits if app.visits.as_ref().is_some_and(|v| v.day_list().is_some()) => {
            vec![
                Action::Select,
                Action::AddEntry,
                Action::Print,
                Action::Export,
                Action::Back,
            ]
        }
        Context::Visits => vec![
            Action::Select,
            Action::NextWeek,
            Action::ToggleScope,
            Action::Print,
        ],
        Context::Sync => vec![
            Action::SyncExport,
            Action::SyncImport,
            Action::ShowConflicts,
            Action::SyncFolder,
        ],
        Context::Form => {
            return pairs(
                app,
                ctx,
                false,
                &[Action::NextField, Action::Submit, Action::Cancel],
            );
        }
        Context::Palette | Context::Help => return pairs(app, ctx, false, &[Action::Back]),
        Context::Global => vec![],
    };
    let mut v = pairs(app, ctx, typing, &wanted);
    v.extend(common_hints(app, ctx, typing));
    v
}

/// Help and quit, where a pane (not an overlay) has the keys.
fn common_hints(app: &App, ctx: Context, typing: bool) -> Vec<Hint> {
    pairs(app, ctx, typing, &[Action::Help, Action::Quit])
}

fn pairs(app: &App, ctx: Context, typing: bool, actions: &[Action]) -> Vec<Hint> {
    actions
        .iter()
        .filter_map(|a| {
            app.keymap.hint_when(ctx, *a, typing).map(|key| Hint {
                key,
                action: *a,
                label: short_label(*a, ctx, typing),
            })
        })
        .collect()
}

fn short_label(a: Action, ctx: Context, typing: bool) -> &'static str {
    match a {
        Action::FocusSearch => "검색",
        Action::NewIntake => "접수",
        Action::Filter => "필터",
        Action::AddEntry => "기록",
        Action::ChangeStage => "단계",
        Action::Refer => "연계",
        Action::Detail => "상세",
        Action::Select => "열기",
        Action::ToggleScope => "내 것/전체",
        Action::Stats => "통계",
        Action::FollowUpDone => "완료",
        Action::OpenCase => "사례 열기",
        Action::Left => "이전 달",
        Action::Right => "다음 달",
        Action::Help => "도움말",
        Action::Quit => "끝",
        Action::Back if typing => "목록",
        Action::Back if ctx == Context::Timeline || ctx == Context::Visits => "뒤로",
        Action::Back => "닫기",
        Action::NextField => "다음 칸",
        Action::Submit => "저장",
        Action::Cancel => "취소",
        Action::SyncExport => "내보내기",
        Action::SyncImport => "가져오기",
        Action::ShowConflicts => "충돌",
        Action::SyncFolder => "폴더",
        Action::Approve => "승인",
        Action::ReturnApproval => "반려",
        Action::Handover => "인계",
        Action::TransferCase => "이관",
        Action::RequestApproval => "결재",
        Action::PlanVisit => "방문",
        Action::Visits => "방문",
        Action::Print => "인쇄",
        Action::Export if ctx == Context::Visits => "엑셀",
        Action::NextWeek => "다음 주",
        Action::PrevWeek => "지난주",
        other => other.label_ko(),
    }
}

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

/// Status bar: site · operator · file · pending sync │ key hints from the keymap.
fn status_bar(f: &mut Frame<'_>, area: Rect, app: &App) {
    let file = app
        .store
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let left = match &app.message {
        Some(m) => format!(" {m}"),
        None => format!(
            " {} · {} · {} · 동기화 대기 {}",
            app.store.site().name,
            app.store.operator(),
            file,
            app.pending_sync
        ),
    };
    let hints = key_hints(app);
    let width = usize::from(area.width);
    let left_w = left.width().min(width);
    let right = fit(&hints, 0, width.saturating_sub(left_w + 3));
    let pad = width.saturating_sub(left_w + right.width() + 1);
    let line = Line::from(vec![
        Span::styled(
            fit(&left, 0, width),
            if app.message.is_some() {
                app.theme.warn.patch(app.theme.status)
            } else {
                app.theme.status
            },
        ),
        Span::styled(" ".repeat(pad), app.theme.status),
        Span::styled(format!("{right} "), app.theme.status),
    ]);
    f.render_widget(Paragraph::new(line).style(app.theme.status), area);
}

/// The few most useful keys of the current context, as `key 설명` pairs from the keymap.
pub fn key_hints(app: &App) -> String {
    let ctx = app.context();
    let wanted: &[Action] = match ctx {
        Context::Search => &[Action::FocusSearch, Action::NewIntake, Action::Filter],
        Context::Timeline => &[Action::AddEntry, Action::ChangeStage, Action::Refer],
        Context::Resources => &[Action::FocusSearch, Action::Detail, Action::Refer],
        Context::Today => &[Action::Select, Action::ToggleScope],
        Context::Sync => &[
            Action::SyncExport,
            Action::SyncImport,
            Action::ShowConflicts,
        ],
        Context::Form => &[Action::NextField, Action::Submit, Action::Cancel],
        Context::Palette | Context::Help => &[Action::Back],
        _ => &[],
    };
    let mut parts: Vec<String> = wanted
        .iter()
        .chain([Action::Help, Action::Quit].iter())
        .filter_map(|a| {
            app.keymap
                .hint(ctx, *a)
                .map(|k| format!("{k} {}", short_label(*a)))
        })
        .collect();
    parts.dedup();
    parts.join("  ")
}

fn short_label(a: Action) -> &'static str {
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
        Action::Help => "도움말",
        Action::Quit => "끝",
        Action::Back => "닫기",
        other => other.label_ko(),
    }
}

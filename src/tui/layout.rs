//! Where the frame's parts go: pure functions of the terminal size, shared by rendering
//! ([`super::ui`]) and by the app (mouse hit-testing, the form's area for up/down).

use super::panes::PaneId;
use super::widgets::centered;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

/// Smallest usable screen.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// Where the frame's parts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppLayout {
    pub tabs: Rect,
    pub main: Rect,
    pub status: Rect,
}

/// Splits the screen: one row of tabs, the pane, one status row.
pub fn layout(area: Rect) -> AppLayout {
    let h = area.height;
    AppLayout {
        tabs: Rect::new(area.x, area.y, area.width, h.min(1)),
        main: Rect::new(area.x, area.y + 1, area.width, h.saturating_sub(2)),
        status: Rect::new(area.x, area.y + h.saturating_sub(1), area.width, h.min(1)),
    }
}

pub const TAB_GAP: u16 = 1;

/// The pane whose tab is at column `x` of the tab bar.
pub fn tab_at(tabs: Rect, x: u16) -> Option<PaneId> {
    let mut left = tabs.x;
    for p in PaneId::ALL {
        let w = p.title().width() as u16 + 2;
        if x >= left && x < left + w {
            return Some(p);
        }
        left += w + TAB_GAP;
    }
    None
}

/// Where an open form is drawn on a screen of `area`: centred in the pane area, at most 76
/// columns wide.
pub fn form_area(area: Rect) -> Rect {
    let main = layout(area).main;
    centered(main, 76, main.height)
}

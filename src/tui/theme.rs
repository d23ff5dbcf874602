//! Colours. `default` and `high-contrast`; with `NO_COLOR` set, only bold/reverse/underline.

use ratatui::style::{Color, Modifier, Style};

/// Styles every pane draws with. A UI colour lives here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub name: &'static str,
    pub base: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub title: Style,
    pub border: Style,
    pub selected: Style,
    pub dim: Style,
    pub accent: Style,
    pub matched: Style,
    pub warn: Style,
    pub danger: Style,
    pub ok: Style,
    pub status: Style,
    pub chip: Style,
}

impl Theme {
    pub fn default_theme() -> Theme {
        Theme {
            name: "default",
            base: Style::new(),
            tab: Style::new().fg(Color::Gray),
            tab_active: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::DarkGray),
            selected: Style::new().bg(Color::Blue).fg(Color::White),
            dim: Style::new().fg(Color::DarkGray),
            accent: Style::new().fg(Color::Cyan),
            matched: Style::new()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            warn: Style::new().fg(Color::Yellow),
            danger: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            status: Style::new().bg(Color::DarkGray).fg(Color::White),
            chip: Style::new().fg(Color::Black).bg(Color::Yellow),
        }
    }

    pub fn high_contrast() -> Theme {
        let bold = Modifier::BOLD;
        Theme {
            name: "high-contrast",
            base: Style::new().fg(Color::White).bg(Color::Black),
            tab: Style::new().fg(Color::White).bg(Color::Black),
            tab_active: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(bold),
            title: Style::new().fg(Color::Yellow).add_modifier(bold),
            border: Style::new().fg(Color::White),
            selected: Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(bold),
            dim: Style::new().fg(Color::White),
            accent: Style::new().fg(Color::Yellow).add_modifier(bold),
            matched: Style::new()
                .fg(Color::Yellow)
                .add_modifier(bold | Modifier::UNDERLINED),
            warn: Style::new().fg(Color::Yellow).add_modifier(bold),
            danger: Style::new().fg(Color::LightRed).add_modifier(bold),
            ok: Style::new().fg(Color::LightGreen).add_modifier(bold),
            status: Style::new().fg(Color::Black).bg(Color::White),
            chip: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(bold),
        }
    }

    /// No colours at all (<https://no-color.org>): emphasis by modifiers only.
    pub fn no_color() -> Theme {
        let plain = Style::new();
        Theme {
            name: "no-color",
            base: plain,
            tab: plain,
            tab_active: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            title: plain.add_modifier(Modifier::BOLD),
            border: plain,
            selected: plain.add_modifier(Modifier::REVERSED),
            dim: plain,
            accent: plain.add_modifier(Modifier::BOLD),
            matched: plain.add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
            warn: plain.add_modifier(Modifier::BOLD),
            danger: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            ok: plain,
            status: plain.add_modifier(Modifier::REVERSED),
            chip: plain.add_modifier(Modifier::REVERSED),
        }
    }

    /// The theme to start with: `NO_COLOR` wins, else by name.
    pub fn initial(name: Option<&str>, no_color: bool) -> Theme {
        if no_color {
            return Theme::no_color();
        }
        match name {
            Some("high-contrast") => Theme::high_contrast(),
            _ => Theme::default_theme(),
        }
    }

    /// The next theme for `toggle-theme` (stays plain under `NO_COLOR`).
    pub fn toggled(self) -> Theme {
        match self.name {
            "default" => Theme::high_contrast(),
            "high-contrast" => Theme::default_theme(),
            _ => self,
        }
    }
}

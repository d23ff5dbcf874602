//! The login screen before the TUI opens an encrypted database: operator and passphrase
//! (masked; Hangul typed through the IME arrives as whole syllables and Backspace removes a
//! whole character), a clear message on a wrong passphrase, and the store's delay from the third
//! wrong one on. Unlocking a key slot *is* the login: the operator the audit log records is the
//! one whose slot opened.

use crate::crypto::Passphrase;
use crate::store::{OpenOptions, Store, StoreError};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use std::path::Path;
use unicode_width::UnicodeWidthStr;
use zeroize::Zeroize;

/// Which field has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Operator,
    Passphrase,
    /// The passphrase again (a new database only).
    Confirm,
}

/// The login form's state.
pub struct Login {
    pub file: String,
    pub operator: String,
    passphrase: String,
    confirm: String,
    /// A new database: the first operator (its admin) chooses a passphrase, typed twice.
    pub new_db: bool,
    pub focus: Field,
    /// The last failure, shown under the fields.
    pub message: Option<String>,
    /// Shown while an unlock runs (argon2id, and the delay after repeated failures).
    pub busy: bool,
    /// The wait before this unlock (wrong passphrases in a row, from the third on).
    pub wait: std::time::Duration,
    pub failures: u32,
}

/// What a key did.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    Continue,
    /// Try to unlock with the fields as they are.
    Submit,
    Quit,
}

impl Drop for Login {
    fn drop(&mut self) {
        self.passphrase.zeroize();
        self.confirm.zeroize();
    }
}

impl Login {
    pub fn new(file: &Path, operator: &str) -> Login {
        Login {
            file: file.display().to_string(),
            operator: operator.to_owned(),
            passphrase: String::new(),
            confirm: String::new(),
            new_db: false,
            focus: if operator.trim().is_empty() {
                Field::Operator
            } else {
                Field::Passphrase
            },
            message: None,
            busy: false,
            wait: std::time::Duration::ZERO,
            failures: 0,
        }
    }

    /// Characters typed into the passphrase (what the mask shows).
    pub fn passphrase_len(&self) -> usize {
        self.passphrase.chars().count()
    }

    /// Takes the passphrase out of the form (it is cleared for the next try).
    pub fn take_passphrase(&mut self) -> Passphrase {
        let p = Passphrase::new(self.passphrase.clone());
        self.passphrase.zeroize();
        self.passphrase.clear();
        self.confirm.zeroize();
        self.confirm.clear();
        p
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        if k.kind == KeyEventKind::Release {
            return Step::Continue;
        }
        let field = match self.focus {
            Field::Operator => &mut self.operator,
            Field::Passphrase => &mut self.passphrase,
            Field::Confirm => &mut self.confirm,
        };
        match k.code {
            KeyCode::Esc => return Step::Quit,
            KeyCode::Char('c' | 'q') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                return Step::Quit;
            }
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                self.focus = match self.focus {
                    Field::Operator => Field::Passphrase,
                    Field::Passphrase if self.new_db => Field::Confirm,
                    Field::Passphrase | Field::Confirm => Field::Operator,
                };
            }
            KeyCode::Enter => match self.focus {
                Field::Operator => self.focus = Field::Passphrase,
                Field::Passphrase if self.passphrase.is_empty() => {
                    self.message = Some("암호를 입력하세요".into());
                }
                Field::Passphrase if self.operator.trim().is_empty() => {
                    self.focus = Field::Operator;
                    self.message = Some("작업자 이름을 입력하세요".into());
                }
                Field::Passphrase if self.new_db => self.focus = Field::Confirm,
                Field::Passphrase => return Step::Submit,
                Field::Confirm if self.confirm != self.passphrase => {
                    self.confirm.zeroize();
                    self.confirm.clear();
                    self.message = Some("두 암호가 다릅니다. 다시 입력하세요.".into());
                }
                Field::Confirm => match crate::crypto::check_new_passphrase(&self.passphrase) {
                    Ok(()) => return Step::Submit,
                    Err(_) => {
                        self.focus = Field::Passphrase;
                        self.message = Some(format!(
                            "암호가 너무 짧습니다: {}글자 이상",
                            crate::crypto::keyslots::MIN_PASSPHRASE_CHARS
                        ));
                    }
                },
            },
            KeyCode::Backspace => {
                field.pop();
            }
            KeyCode::Char('u') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                field.zeroize();
                field.clear();
            }
            KeyCode::Char(c) if !c.is_control() => {
                field.push(c);
            }
            _ => {}
        }
        Step::Continue
    }

    /// Tries the fields: the store, or the message to show (the form stays up).
    pub fn submit(&mut self, path: &Path, opts: &OpenOptions) -> Result<Store, StoreError> {
        let mut opts = opts.clone();
        opts.operator = self.operator.clone();
        opts.encrypt_new = self.new_db;
        opts.passphrase = Some(self.take_passphrase());
        match Store::open(path, &opts) {
            Ok(store) => Ok(store),
            Err(e) => {
                if matches!(e, StoreError::WrongPassphrase { .. }) {
                    self.failures += 1;
                }
                self.message = Some(match &e {
                    StoreError::WrongPassphrase { operator, .. } => format!(
                        "{operator}의 암호가 틀렸습니다 ({}번째). 다시 입력하세요.{}",
                        self.failures,
                        if crate::store::failures(path) >= 2 {
                            " 세 번째부터는 잠시 기다립니다."
                        } else {
                            ""
                        }
                    ),
                    StoreError::UnknownOperator { operator, .. } => {
                        self.focus = Field::Operator;
                        format!("{operator}: 키 슬롯이 없는 작업자입니다. 이름을 확인하세요.")
                    }
                    other => other.to_string(),
                });
                Err(e)
            }
        }
    }
}

/// Draws the form centred on the screen.
pub fn render(f: &mut Frame<'_>, login: &Login) {
    let area = f.area();
    let width = area.width.min(64);
    let height = area.height.min(14);
    let x = area.x + (area.width - width) / 2;
    let y = area.y + (area.height - height) / 2;
    let rect = Rect::new(x, y, width, height);
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(if login.new_db {
            " 돌봄 콘솔 — 새 암호화 데이터베이스 "
        } else {
            " 돌봄 콘솔 — 로그인 "
        });
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .split(inner);
    let dim = Style::default().fg(Color::DarkGray);
    let file: String = login
        .file
        .chars()
        .rev()
        .take(inner.width as usize)
        .collect();
    let file: String = file.chars().rev().collect();
    f.render_widget(Paragraph::new(Span::styled(file, dim)), rows[0]);
    let label = |text: &'static str, active: bool| {
        let style = if active {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        Span::styled(text, style)
    };
    let mask = "*".repeat(login.passphrase_len());
    let confirm_mask = "*".repeat(login.confirm.chars().count());
    if login.new_db {
        f.render_widget(
            Paragraph::new(Line::from(vec![
                label("암호 확인 ", login.focus == Field::Confirm),
                Span::raw(confirm_mask.as_str()),
            ])),
            rows[6],
        );
        f.render_widget(
            Paragraph::new(Span::styled(
                "첫 작업자가 관리자 · 암호 8글자 이상 (잊으면 열 수 없음)",
                dim,
            )),
            rows[1],
        );
    }
    f.render_widget(
        Paragraph::new(Line::from(vec![
            label("작업자  ", login.focus == Field::Operator),
            Span::raw(login.operator.as_str()),
        ])),
        rows[2],
    );
    f.render_widget(
        Paragraph::new(Line::from(vec![
            label("암호    ", login.focus == Field::Passphrase),
            Span::raw(mask.as_str()),
        ])),
        rows[4],
    );
    let waiting;
    let message = if login.busy && !login.wait.is_zero() {
        waiting = format!(
            "틀린 암호가 이어져 {}초 기다린 뒤 확인합니다…",
            login.wait.as_secs()
        );
        Some(Span::styled(
            waiting.as_str(),
            Style::default().fg(Color::Yellow),
        ))
    } else if login.busy {
        Some(Span::styled("확인하는 중…", dim))
    } else {
        login
            .message
            .as_deref()
            .map(|m| Span::styled(m, Style::default().fg(Color::Red)))
    };
    if let Some(m) = message {
        f.render_widget(
            Paragraph::new(Line::from(m)).wrap(ratatui::widgets::Wrap { trim: true }),
            rows[7],
        );
    }
    f.render_widget(
        Paragraph::new(Span::styled("Enter 확인 · Tab 칸 이동 · Esc 끝내기", dim)),
        rows[9],
    );
    // The cursor at the end of the active field, so the IME's composition shows there.
    let (row, text_width) = match login.focus {
        Field::Operator => (rows[2], login.operator.width()),
        Field::Passphrase => (rows[4], mask.len()),
        Field::Confirm => (rows[6], confirm_mask.len() + 2),
    };
    let cx = (row.x + 8 + text_width as u16).min(row.x + row.width.saturating_sub(1));
    f.set_cursor_position((cx, row.y));
}

/// Shows the login screen on the terminal until a slot unlocks (the store) or the user quits
/// (`None`).
pub fn run(path: &Path, opts: &OpenOptions) -> anyhow::Result<Option<Store>> {
    let mut guard = super::terminal::TerminalGuard::enter()?;
    guard.terminal.show_cursor()?;
    let mut login = Login::new(path, &opts.operator);
    login.new_db = crate::crypto::engine::file_kind(path)
        .is_ok_and(|k| k == crate::crypto::engine::FileKind::Empty);
    loop {
        guard.terminal.draw(|f| render(f, &login))?;
        let Event::Key(k) = crossterm::event::read()? else {
            continue;
        };
        match login.key(k) {
            Step::Continue => {}
            Step::Quit => return Ok(None),
            Step::Submit => {
                login.busy = true;
                login.wait = crate::crypto::login_delay(crate::store::failures(path));
                guard.terminal.draw(|f| render(f, &login))?;
                let result = login.submit(path, opts);
                login.busy = false;
                match result {
                    Ok(store) => return Ok(Some(store)),
                    Err(
                        StoreError::WrongPassphrase { .. } | StoreError::UnknownOperator { .. },
                    ) => {
                        // Keys typed while the unlock ran are dropped, not taken as a new try.
                        while crossterm::event::poll(std::time::Duration::ZERO)? {
                            let _ = crossterm::event::read()?;
                        }
                    }
                    Err(e) => {
                        drop(guard);
                        return Err(anyhow::anyhow!("{e}"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn press(l: &mut Login, code: KeyCode) -> Step {
        l.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn screen(l: &Login) -> String {
        let backend = ratatui::backend::TestBackend::new(80, 24);
        let mut t = ratatui::Terminal::new(backend).expect("terminal");
        t.draw(|f| render(f, l)).expect("draw");
        let buf = t.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    #[test]
    fn hangul_is_typed_whole_and_the_passphrase_never_shows() {
        let mut l = Login::new(Path::new("/tmp/x.db"), "");
        assert_eq!(l.focus, Field::Operator);
        for c in "김주무관".chars() {
            press(&mut l, KeyCode::Char(c));
        }
        press(&mut l, KeyCode::Backspace);
        assert_eq!(l.operator, "김주무");
        assert_eq!(press(&mut l, KeyCode::Enter), Step::Continue);
        assert_eq!(l.focus, Field::Passphrase);
        for c in "봄날비밀12".chars() {
            press(&mut l, KeyCode::Char(c));
        }
        // Wide characters are followed by a filler cell in the buffer.
        let s = screen(&l).replace(' ', "");
        assert!(s.contains("김주무"), "{s}");
        assert!(s.contains("******"), "{s}");
        assert!(!s.contains("봄날"), "{s}");
        assert_eq!(press(&mut l, KeyCode::Enter), Step::Submit);
        assert_eq!(l.take_passphrase().as_str(), "봄날비밀12");
        assert_eq!(l.passphrase_len(), 0);
        assert_eq!(press(&mut l, KeyCode::Esc), Step::Quit);
    }

    #[test]
    fn a_new_database_asks_twice_and_refuses_a_mismatch_or_a_short_passphrase() {
        let mut l = Login::new(Path::new("/tmp/new.db"), "관리자");
        l.new_db = true;
        let typed = |l: &mut Login, text: &str| {
            for c in text.chars() {
                press(l, KeyCode::Char(c));
            }
        };
        typed(&mut l, "봄날 햇살 2026");
        assert_eq!(press(&mut l, KeyCode::Enter), Step::Continue);
        assert_eq!(l.focus, Field::Confirm);
        typed(&mut l, "봄날 햇살 2025");
        assert_eq!(press(&mut l, KeyCode::Enter), Step::Continue);
        assert!(l.message.as_deref().is_some_and(|m| m.contains("다릅니다")));
        typed(&mut l, "봄날 햇살 2026");
        assert!(screen(&l).contains("새"), "title says new");
        assert_eq!(press(&mut l, KeyCode::Enter), Step::Submit);
        let mut short = Login::new(Path::new("/tmp/new.db"), "관리자");
        short.new_db = true;
        typed(&mut short, "짧다");
        press(&mut short, KeyCode::Enter);
        typed(&mut short, "짧다");
        assert_eq!(press(&mut short, KeyCode::Enter), Step::Continue);
        assert!(
            short
                .message
                .as_deref()
                .is_some_and(|m| m.contains("8글자"))
        );
    }
}

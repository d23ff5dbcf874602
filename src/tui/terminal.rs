//! Terminal set-up and restoration. The terminal is restored on every exit path: normal return
//! and errors (the [`TerminalGuard`]'s `Drop`), panics (a hook that wraps the previous one), and
//! SIGTERM/SIGHUP (turned into a quit message by the event loop, so the guard runs). Ctrl-Z and
//! SIGTSTP (Unix) restore it before the process stops and take it again on `fg`
//! ([`TerminalGuard::suspend`]).

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout};
use std::sync::Once;

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Puts the terminal back: cooked mode, main screen, no mouse capture, visible cursor.
/// Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

static HOOK: Once = Once::new();

/// Installs (once) a panic hook that restores the terminal before the previous hook prints.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Owns the terminal while the TUI runs; dropping it restores the terminal.
pub struct TerminalGuard {
    pub terminal: Tui,
}

/// Raw mode, alternate screen and mouse capture (required), then bracketed paste (best-effort:
/// an old Windows console refuses it, and the app works without it — a paste then arrives as
/// keys).
fn set_modes(stdout: &mut Stdout) -> io::Result<()> {
    enable_raw_mode()?;
    execute!(stdout, EnterAlternateScreen, EnableMouseCapture)?;
    let _ = execute!(stdout, EnableBracketedPaste);
    Ok(())
}

impl TerminalGuard {
    /// Raw mode, alternate screen, mouse capture, bracketed paste (if the terminal has it).
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        let mut stdout = io::stdout();
        if let Err(e) = set_modes(&mut stdout) {
            restore();
            return Err(e);
        }
        match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Ctrl-Z or an outside SIGTSTP: puts the terminal back as the shell left it (cooked mode,
    /// main screen, no mouse capture or bracketed paste, cursor shown), stops the process, and
    /// once the shell continues it (`fg`, SIGCONT) takes the terminal again and forgets what was
    /// on screen, so the next draw repaints everything.
    #[cfg(unix)]
    pub fn suspend(&mut self) -> io::Result<()> {
        restore();
        // SIGTSTP has a handler (so the loop can restore first): stop the way its default
        // action would. Execution resumes here on SIGCONT.
        signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP)?;
        let mut stdout = io::stdout();
        set_modes(&mut stdout)?;
        execute!(
            stdout,
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
        )?;
        // A new terminal has an empty back buffer, so the next draw repaints every cell.
        // (`Terminal::clear` would ask for the cursor position, whose answer the input thread
        // would read as keys.)
        self.terminal = Terminal::new(CrosstermBackend::new(stdout))?;
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

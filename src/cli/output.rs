//! Writing to stdout like a good Unix tool: when the reader goes away (`dolbom search 김 --json |
//! head -1`), the command stops quietly instead of panicking as `println!` does on a closed pipe.
//!
//! Every command prints through [`print`], [`line`] or [`json`]; a write that fails with
//! `BrokenPipe` becomes the [`Closed`] error, which [`super::exit_code`] turns into a quiet
//! exit 0. Other write errors are reported like any error.

use std::io::{self, Write};

/// Stdout was closed by its reader; nothing more can be printed. Not a failure.
#[derive(Debug, thiserror::Error)]
#[error("표준 출력이 닫혔습니다 (stdout closed)")]
pub struct Closed;

/// Whether `e` (anywhere in its chain) is a closed stdout.
pub fn is_closed(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<Closed>().is_some())
}

/// Writes `bytes` to `w` and flushes; `BrokenPipe` becomes [`Closed`].
pub fn write_to(w: &mut impl Write, bytes: &[u8]) -> anyhow::Result<()> {
    match w.write_all(bytes).and_then(|()| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Closed.into()),
        Err(e) => {
            Err(anyhow::Error::new(e).context("표준 출력에 쓰지 못했습니다 (writing stdout)"))
        }
    }
}

/// Prints `text`, its lines kept but any other control character (ESC, a lone CR, NUL, C1)
/// and bidi override replaced by U+FFFD ([`clean_text`]): stored text never drives the terminal.
pub fn print(text: &str) -> anyhow::Result<()> {
    write_to(&mut io::stdout().lock(), clean_text(text).as_bytes())
}

/// Prints `text` and a newline (cleaned as [`print`] does).
pub fn line(text: &str) -> anyhow::Result<()> {
    let mut s = String::with_capacity(text.len() + 1);
    s.push_str(text);
    s.push('\n');
    print(&s)
}

/// Prints lines, one per item. Each item is one line: a newline inside it is replaced too
/// ([`clean`]), so a stored name with `\n` and ESC codes cannot forge a row of a table.
pub fn lines<I, S>(items: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut s = String::new();
    for item in items {
        s.push_str(&clean(item.as_ref()));
        s.push('\n');
    }
    print(&s)
}

/// Prints `v` as pretty JSON and a newline. serde escapes every C0 control inside strings;
/// the text is otherwise printed as is (machine-readable output stays exact).
pub fn json<T: serde::Serialize + ?Sized>(v: &T) -> anyhow::Result<()> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    write_to(&mut io::stdout().lock(), s.as_bytes())
}

/// Text for one line of terminal output (stderr messages too): every control character,
/// newlines included, and bidi override replaced by U+FFFD.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    crate::privacy::terminal_line(text)
}

/// Text of several lines for the terminal: like [`clean`], but newlines (and CRLF) are kept.
pub fn clean_text(text: &str) -> std::borrow::Cow<'_, str> {
    crate::privacy::terminal_text(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose reader has gone away.
    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A writer that fails for another reason.
    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_broken_pipe_is_closed_and_other_errors_are_not() {
        let e = write_to(&mut ClosedPipe, b"x").unwrap_err();
        assert!(is_closed(&e));
        let e = write_to(&mut Full, b"x").unwrap_err();
        assert!(!is_closed(&e));
        assert!(format!("{e:#}").contains("disk full"));
        let mut buf = Vec::new();
        write_to(&mut buf, b"ok").unwrap();
        assert_eq!(buf, b"ok");
    }
}

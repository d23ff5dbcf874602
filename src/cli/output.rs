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

/// Prints `text` as is.
pub fn print(text: &str) -> anyhow::Result<()> {
    write_to(&mut io::stdout().lock(), text.as_bytes())
}

/// Prints `text` and a newline.
pub fn line(text: &str) -> anyhow::Result<()> {
    let mut s = String::with_capacity(text.len() + 1);
    s.push_str(text);
    s.push('\n');
    print(&s)
}

/// Prints lines, one per item.
pub fn lines<I, S>(items: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut s = String::new();
    for item in items {
        s.push_str(item.as_ref());
        s.push('\n');
    }
    print(&s)
}

/// Prints `v` as pretty JSON and a newline.
pub fn json<T: serde::Serialize + ?Sized>(v: &T) -> anyhow::Result<()> {
    line(&serde_json::to_string_pretty(v)?)
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

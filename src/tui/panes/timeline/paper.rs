//! The case view's export form (`e`): today's case-summary formats plus the 서식 (HWPX for 한글,
//! HTML for printing), written to a file path field whose default is a Hangul file name in the
//! user's documents folder (`초기상담기록지_김민수_2026-11-29.hwpx`).

use super::super::fields::{ContactDisplay, FieldId, PaneForm};
use super::Result;
use crate::paper::{self, DocFormat, Form};
use crate::store::Store;
use crate::timeline::export::Format;
use crate::timeline::{self, TimelineError};
use crate::tui::widgets::form::{Choice, Field};
use std::path::{Path, PathBuf};

/// What `e` writes: a 서식 (hwpx, html) or the case summary (md, csv, json).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Hwpx,
    Html,
    Md,
    Csv,
    Json,
}

impl Choice for ExportFormat {
    fn all() -> &'static [ExportFormat] {
        &[
            ExportFormat::Hwpx,
            ExportFormat::Html,
            ExportFormat::Md,
            ExportFormat::Csv,
            ExportFormat::Json,
        ]
    }
    fn label(self) -> &'static str {
        match self {
            ExportFormat::Hwpx => "한글 서식 (hwpx)",
            ExportFormat::Html => "인쇄용 서식 (html)",
            ExportFormat::Md => "사례 요약 md",
            ExportFormat::Csv => "사례 요약 csv",
            ExportFormat::Json => "사례 요약 json",
        }
    }
}

impl ExportFormat {
    fn doc(self) -> Option<DocFormat> {
        match self {
            ExportFormat::Hwpx => Some(DocFormat::Hwpx),
            ExportFormat::Html => Some(DocFormat::Html),
            _ => None,
        }
    }
    fn summary(self) -> Option<Format> {
        match self {
            ExportFormat::Md => Some(Format::Md),
            ExportFormat::Csv => Some(Format::Csv),
            ExportFormat::Json => Some(Format::Json),
            _ => None,
        }
    }
    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Hwpx => "hwpx",
            ExportFormat::Html => "html",
            ExportFormat::Md => "md",
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }
}

impl Choice for Form {
    fn all() -> &'static [Form] {
        &Form::ALL
    }
    fn label(self) -> &'static str {
        Form::label(self)
    }
}

/// The folder exports go to by default: the user's documents folder if it exists, else the
/// data folder (made if missing: with `--db` elsewhere it may never have been), else the
/// current folder. A default that cannot be written to would be a dead end in every `x`/`p`
/// form.
pub fn export_dir() -> PathBuf {
    if let Some(docs) = directories::UserDirs::new()
        .and_then(|u| u.document_dir().map(Path::to_path_buf))
        .filter(|d| d.is_dir())
    {
        return docs;
    }
    crate::paths::data_dir()
        .filter(|d| std::fs::create_dir_all(d).is_ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Characters a file name may not hold on Windows (and `/` anywhere) become `_`.
fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// The default file of an export: `<dir>/<서식 or 사례요약>_<name>_<date>.<ext>`.
pub fn default_path(dir: &Path, name: &str, date: &str, form: Form, f: ExportFormat) -> PathBuf {
    let what = if f.doc().is_some() {
        form.label()
    } else {
        "사례요약"
    };
    let what = what.replace([' ', '·'], "");
    dir.join(format!(
        "{}_{}_{}.{}",
        file_safe(&what),
        file_safe(name),
        date,
        f.extension()
    ))
}

/// The export form of a case of `name`, on `date` (`YYYY-MM-DD`).
pub fn export_form(name: &str, date: &str) -> PaneForm {
    let first = ExportFormat::all()[0];
    let path = default_path(&export_dir(), name, date, Form::ALL[0], first);
    PaneForm::new(
        "서식·사례 요약 내보내기",
        vec![
            Field::choice_of::<ExportFormat>(FieldId::Format, "형식"),
            Field::choice_of::<Form>(FieldId::PaperForm, "서식 (hwpx·html)"),
            Field::text(FieldId::File, "파일")
                .required()
                .with_value(&path.to_string_lossy()),
            Field::choice_of::<ContactDisplay>(FieldId::Contacts, "연락처"),
        ],
    )
}

/// Applies the export form: writes the file and returns the status line. A file path left at
/// its default follows the chosen 서식 and format. Returns the written path too (for `O`).
pub fn submit(case_id: &str, form: &PaneForm, store: &Store) -> Result<(String, PathBuf)> {
    let format = form
        .chosen::<ExportFormat>(FieldId::Format)
        .ok_or_else(|| TimelineError::Invalid("형식을 고르세요".into()))?;
    let which = form
        .chosen::<Form>(FieldId::PaperForm)
        .unwrap_or(Form::Summary);
    let full = form.chosen(FieldId::Contacts) == Some(ContactDisplay::Full);
    let typed = form
        .field(FieldId::File)
        .map(|f| f.value().trim().to_string())
        .unwrap_or_default();
    let name = store.case_header(case_id)?.resident_name;
    let date = store.clock().today().format("%Y-%m-%d").to_string();
    let dir = export_dir();
    let untouched = default_path(&dir, &name, &date, Form::ALL[0], ExportFormat::all()[0]);
    let path = if typed == untouched.to_string_lossy() {
        default_path(&dir, &name, &date, which, format)
    } else {
        PathBuf::from(typed)
    };
    if let Some(summary) = format.summary() {
        timeline::export::export(store, case_id, summary, full, Some(&path))?;
        return Ok((format!("{}에 저장했습니다", path.display()), path));
    }
    let doc = format.doc().unwrap_or(DocFormat::Hwpx);
    let bad = |e: paper::PaperError| match e {
        // The OS's reason is shown in Korean (see `forms::refusal`).
        paper::PaperError::Io { path, source } => TimelineError::Io { path, source },
        paper::PaperError::Timeline(t) => t,
        other => TimelineError::Invalid(other.to_string()),
    };
    let forms = crate::cli::timeline::form_set(store).map_err(bad)?;
    paper::forms::export(store, &forms, case_id, which, doc, full, &path).map_err(bad)?;
    let hint = if doc == DocFormat::Html {
        " (O: 열기)"
    } else {
        ""
    };
    Ok((
        format!("{} {}에 저장했습니다{hint}", which.label(), path.display()),
        path,
    ))
}

/// Opens `path` with the system's default program, without waiting for it.
pub fn open_with_system(path: &Path) -> std::io::Result<()> {
    #[cfg(windows)]
    let mut cmd = {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]).arg(path);
        c
    };
    #[cfg(target_os = "macos")]
    let mut cmd = {
        let mut c = std::process::Command::new("open");
        c.arg(path);
        c
    };
    #[cfg(all(unix, not(target_os = "macos")))]
    let mut cmd = {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(path);
        c
    };
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
}

//! The seven 서식 and their templates: compiled in from `forms/` (the defaults), or read from a
//! folder a centre keeps its own copies in. Also the one call the CLI and the TUI make to
//! produce a 서식 file ([`export`]).

use super::document::CaseDocument;
use super::template::{self, Template, TemplateError};
use super::{DocFormat, Layout, PaperError};
use crate::audit::Event;
use crate::model::AuditAction;
use crate::store::Store;
use std::path::Path;

/// A 서식.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    InitialConsult,
    Assessment,
    Plan,
    Conference,
    Monitoring,
    Closure,
    Summary,
}

impl Form {
    pub const ALL: [Form; 7] = [
        Form::InitialConsult,
        Form::Assessment,
        Form::Plan,
        Form::Conference,
        Form::Monitoring,
        Form::Closure,
        Form::Summary,
    ];

    /// The template's file name under `forms/`.
    pub fn file(self) -> &'static str {
        match self {
            Form::InitialConsult => "initial_consult.form",
            Form::Assessment => "assessment.form",
            Form::Plan => "plan.form",
            Form::Conference => "conference.form",
            Form::Monitoring => "monitoring.form",
            Form::Closure => "closure.form",
            Form::Summary => "summary.form",
        }
    }

    pub fn code(self) -> &'static str {
        self.file().trim_end_matches(".form")
    }

    pub fn label(self) -> &'static str {
        match self {
            Form::InitialConsult => "초기상담기록지",
            Form::Assessment => "욕구·위기도 조사표",
            Form::Plan => "서비스 제공계획서",
            Form::Conference => "사례회의록",
            Form::Monitoring => "모니터링 기록",
            Form::Closure => "종결 보고서",
            Form::Summary => "사례 요약",
        }
    }

    /// Parses a code (`plan`), a label (`서비스 제공계획서`) or a label without spaces and dots.
    pub fn parse(s: &str) -> Option<Form> {
        let squash = |t: &str| -> String {
            t.chars()
                .filter(|c| !c.is_whitespace() && *c != '·' && *c != '.')
                .collect()
        };
        let s = s.trim();
        Form::ALL
            .into_iter()
            .find(|f| f.code() == s || f.label() == s || squash(f.label()) == squash(s))
    }

    /// The built-in template text.
    pub fn builtin_source(self) -> &'static str {
        match self {
            Form::InitialConsult => include_str!("../../forms/initial_consult.form"),
            Form::Assessment => include_str!("../../forms/assessment.form"),
            Form::Plan => include_str!("../../forms/plan.form"),
            Form::Conference => include_str!("../../forms/conference.form"),
            Form::Monitoring => include_str!("../../forms/monitoring.form"),
            Form::Closure => include_str!("../../forms/closure.form"),
            Form::Summary => include_str!("../../forms/summary.form"),
        }
    }

    /// The built-in template, parsed.
    pub fn builtin(self) -> Result<Template, TemplateError> {
        template::parse(&format!("forms/{}", self.file()), self.builtin_source())
    }
}

/// The templates in use: the built-in ones, each replaced by a centre's own file if present.
#[derive(Debug, Clone)]
pub struct FormSet {
    templates: Vec<(Form, Template)>,
}

impl FormSet {
    /// The built-in templates.
    pub fn builtin() -> Result<FormSet, TemplateError> {
        Ok(FormSet {
            templates: Form::ALL
                .into_iter()
                .map(|f| Ok((f, f.builtin()?)))
                .collect::<Result<_, TemplateError>>()?,
        })
    }

    /// The built-in templates, each replaced by `dir/<file>` where that file exists. Errors
    /// name the file as `forms/<file>:<line>`.
    pub fn load(dir: &Path) -> Result<FormSet, PaperError> {
        let mut templates = Vec::new();
        for f in Form::ALL {
            let path = dir.join(f.file());
            let t = match std::fs::read(&path) {
                Ok(bytes) => {
                    let shown = format!("forms/{}", f.file());
                    let text = String::from_utf8(bytes).map_err(|_| TemplateError {
                        file: shown.clone(),
                        line: 1,
                        message: "UTF-8 텍스트가 아닙니다 (not UTF-8)".into(),
                    })?;
                    template::parse(&shown, &text)?
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => f.builtin()?,
                Err(e) => return Err(PaperError::Io { path, source: e }),
            };
            templates.push((f, t));
        }
        Ok(FormSet { templates })
    }

    pub fn get(&self, form: Form) -> &Template {
        // Every form is present: both constructors fill all of Form::ALL.
        &self
            .templates
            .iter()
            .find(|(f, _)| *f == form)
            .unwrap_or(&self.templates[0])
            .1
    }
}

/// Fills `form` for `doc`.
pub fn layout(forms: &FormSet, form: Form, doc: &CaseDocument) -> Layout {
    super::layout::fill(forms.get(form), doc)
}

/// Produces a 서식 of a case: builds the document (masked unless `full`), fills the template,
/// renders it, records the 출력 in the audit log (what and for whom, never the contents), and
/// writes `out` atomically (0600). Returns the bytes.
pub fn export(
    store: &Store,
    forms: &FormSet,
    case_id: &str,
    form: Form,
    format: DocFormat,
    full: bool,
    out: &Path,
) -> Result<Vec<u8>, PaperError> {
    let doc = CaseDocument::load(store, case_id, full)?;
    let bytes = super::render(&layout(forms, form, &doc), format)?;
    let header = store.case_header(case_id)?;
    store.audit(&Event {
        action: AuditAction::Print,
        resident_id: Some(&header.case.resident_id),
        subject: &format!("case:{case_id}"),
        detail: &format!(
            "{} {}{}",
            form.label(),
            format.code(),
            if full {
                ", 전체(--full)"
            } else {
                ", 연락처 가림"
            }
        ),
    })?;
    super::write_file(out, &bytes)?;
    Ok(bytes)
}

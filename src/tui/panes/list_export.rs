//! `x` on a list (검색 결과, 오늘): a small path form, then the shown list as XLSX (phones
//! masked), with one 출력 row in the audit log (which list, how many rows).

use super::fields::{FieldId, PaneForm};
use super::{Effect, FormPurpose};
use crate::paper::xlsx::Table;
use crate::store::Store;
use crate::tui::widgets::form::Field;

/// The path form: `<documents>/<list>_<date>.xlsx` by default.
pub fn form(title: &str, list: &str, date: &str) -> PaneForm {
    let path = super::timeline::paper::export_dir().join(format!("{list}_{date}.xlsx"));
    PaneForm::new(
        title,
        vec![
            Field::text(FieldId::File, "파일")
                .required()
                .with_value(&path.to_string_lossy()),
        ],
    )
}

/// Writes `table` to the form's file and audits it. A refusal (no file, a folder that does
/// not exist, a write error) keeps the form open with the typed path and the reason under it.
pub fn write(
    store: &Store,
    purpose: FormPurpose,
    form: &PaneForm,
    table: Table,
    subject: &str,
) -> Effect {
    let refuse = |message: String| {
        Effect::FormError(
            purpose.clone(),
            Box::new(form.clone()),
            FieldId::File,
            message,
        )
    };
    let path = std::path::PathBuf::from(form.value(FieldId::File).unwrap_or("").trim());
    if path.as_os_str().is_empty() {
        return refuse("파일을 입력하세요".into());
    }
    if let Some(dir) = crate::files::missing_folder(&path) {
        return refuse(format!("폴더가 없습니다: {}", dir.display()));
    }
    match crate::cli::report::write_list(store, &path, table, subject) {
        Ok(n) => Effect::Message(format!("{}에 {n}건을 저장했습니다 (xlsx)", path.display())),
        Err(e) => refuse(format!(
            "저장하지 못했습니다: {}",
            crate::cli::error_text(&e)
        )),
    }
}

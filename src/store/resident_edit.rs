//! Editing a resident (주민 정보 수정): contact details, 동, 세대, flags and the 담당자 of the
//! resident's open cases. Every column goes through [`Tx::update`], so each change is an op that
//! syncs like any other, and the edit is audited (변경) in the same transaction.

use super::audit::{Event, append};
use super::{Result, Store, StoreError, Val};
use crate::model::AuditAction;

/// The editable part of a resident (and the worker of their open cases).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResidentEdit {
    pub phone: Option<String>,
    pub dong: String,
    pub address: String,
    pub household_id: Option<String>,
    pub flags: Vec<String>,
    /// 담당자 of the resident's open cases (`None`: no open case, nothing to change).
    pub worker: Option<String>,
}

impl Store {
    /// The resident's current editable values.
    pub fn resident_edit(&self, id: &str) -> Result<ResidentEdit> {
        let r = self
            .resident(id)?
            .ok_or_else(|| StoreError::NotFound(format!("resident {id}")))?;
        let worker = self
            .cases_of_resident(id)?
            .into_iter()
            .find(|c| c.stage.is_open())
            .map(|c| c.worker);
        Ok(ResidentEdit {
            phone: r.phone,
            dong: r.dong,
            address: r.address,
            household_id: r.household_id,
            flags: r.flags,
            worker,
        })
    }

    /// Writes `edit` over resident `id` in one transaction with its audit row (변경; the detail
    /// names the changed fields, never their values). Returns the values before the edit (for
    /// undo) and the names of the changed fields (empty: nothing changed, nothing written).
    pub fn edit_resident(
        &mut self,
        id: &str,
        edit: &ResidentEdit,
    ) -> Result<(ResidentEdit, Vec<&'static str>)> {
        let before = self.resident_edit(id)?;
        let open_cases: Vec<String> = self
            .cases_of_resident(id)?
            .into_iter()
            .filter(|c| c.stage.is_open())
            .map(|c| c.id)
            .collect();
        let operator = self.operator().to_string();
        let host = self.host().to_string();
        let stamp = self.clock().stamp();
        let mut changed = Vec::new();
        let pairs: [(&'static str, &'static str, bool); 5] = [
            ("phone", "연락처", before.phone != edit.phone),
            ("dong", "읍면동", before.dong != edit.dong),
            ("address", "주소", before.address != edit.address),
            (
                "household_id",
                "세대",
                before.household_id != edit.household_id,
            ),
            ("flags", "표시", before.flags != edit.flags),
        ];
        let mut tx = self.write()?;
        let mut fields: Vec<(&str, Val)> = Vec::new();
        for (col, label, differs) in pairs {
            if !differs {
                continue;
            }
            changed.push(label);
            let v = match col {
                "phone" => edit.phone.clone().into(),
                "dong" => edit.dong.as_str().into(),
                "address" => edit.address.as_str().into(),
                "household_id" => edit.household_id.clone().into(),
                _ => edit.flags.join(",").into(),
            };
            fields.push((col, v));
        }
        if !fields.is_empty() {
            tx.update("residents", id, &fields)?;
        }
        if let Some(w) = edit.worker.as_deref().filter(|w| !w.trim().is_empty())
            && before.worker.as_deref() != Some(w)
        {
            for c in &open_cases {
                tx.update("cases", c, &[("worker", w.trim().into())])?;
            }
            if !open_cases.is_empty() {
                changed.push("담당자");
            }
        }
        if changed.is_empty() {
            return Ok((before, changed));
        }
        append(
            tx.conn(),
            &operator,
            &host,
            &stamp,
            &Event {
                action: AuditAction::Update,
                resident_id: Some(id),
                subject: &format!("resident:{id}"),
                detail: &format!("주민 정보 수정: {}", changed.join(", ")),
            },
        )
        .map_err(|e| tx.sql_err(e))?;
        tx.commit()?;
        Ok((before, changed))
    }
}

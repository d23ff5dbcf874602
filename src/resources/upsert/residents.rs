//! Resident-list imports (관리대상자 명단): a person already present (same NFC name + birth
//! date) is updated, never duplicated; new people are inserted; look-alikes are reported.

use super::{
    Actor, ImportReport, PossibleDuplicate, ResidentImport, RowSet, UpsertError, pipeline,
};
use crate::hangul::choseong_key;
use crate::model::split_list;
use crate::resources::import::{ResidentRow, RowError, Rows, open_residents};
use crate::store::upsert::ImportedResident as Existing;
use crate::store::{Store, StoreError, Tx, Val};
use std::collections::HashMap;
use std::path::Path;

/// Status flags recognised in a 비고 column: (flag, words that mean it).
const FLAG_WORDS: [(&str, &[&str]); 6] = [
    ("독거", &["독거"]),
    ("기초수급", &["기초수급", "기초생활수급", "수급자"]),
    ("차상위", &["차상위"]),
    ("장애", &["장애"]),
    ("한부모", &["한부모"]),
    ("조손", &["조손"]),
];

/// Risk indicators recognised in a 비고 column.
const RISK_WORDS: [(&str, &[&str]); 6] = [
    ("단전", &["단전"]),
    ("단수", &["단수"]),
    ("건보료 체납", &["건보료체납", "건강보험료체납"]),
    ("통신비 체납", &["통신비체납"]),
    ("주거위기", &["주거위기"]),
    ("연락두절", &["연락두절"]),
];

/// Flags and risks named in a free-text note (spaces ignored), in vocabulary order.
pub fn recognise_note(note: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    let compact: String = note.chars().filter(|c| !c.is_whitespace()).collect();
    let pick = |table: &[(&'static str, &[&str])]| {
        table
            .iter()
            .filter(|(_, words)| words.iter().any(|w| compact.contains(w)))
            .map(|(f, _)| *f)
            .collect::<Vec<_>>()
    };
    (pick(&FLAG_WORDS), pick(&RISK_WORDS))
}

/// The 시/군/구 part of an address: the leading tokens ending in 시, 군 or 구 after any 도
/// (`전북특별자치도 전주시 완산구 …` → `전주시 완산구`, `서울특별시 관악구 …` → `서울특별시 관악구`).
pub fn sigungu_from_address(address: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for t in address.split_whitespace() {
        if t.ends_with('도') && out.is_empty() {
            continue;
        }
        if t.chars().count() >= 2 && (t.ends_with('시') || t.ends_with('군') || t.ends_with('구'))
        {
            out.push(t);
        } else {
            break;
        }
    }
    out.join(" ")
}

/// Adds `new` items not already in `list` (a comma-separated column); None if nothing is new.
fn merge_list(list: &str, new: &[&str]) -> Option<String> {
    let mut items = split_list(list);
    let before = items.len();
    for n in new {
        if !items.iter().any(|i| i == n) {
            items.push((*n).to_string());
        }
    }
    (items.len() > before).then(|| items.join(","))
}

/// Key of the look-alike check: 초성 of the name, birth year, 동.
fn lookalike_key(name: &str, birth_date: &str, dong: &str) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{dong}",
        choseong_key(name),
        birth_date.get(..4).unwrap_or("")
    )
}

struct Upsert<'t, 'c> {
    tx: &'t mut Tx<'c>,
    path: &'t Path,
    report: ImportReport,
    touched: RowSet,
    /// Look-alike key → (name, birth date) of every live resident, and of those inserted.
    lookalikes: HashMap<String, Vec<(String, String)>>,
}

impl Upsert<'_, '_> {
    fn apply(&mut self, item: Result<ResidentRow, RowError>) -> Result<(), UpsertError> {
        let row = match item {
            Ok(row) => row,
            Err(e) => {
                self.report.reject(e);
                return Ok(());
            }
        };
        match self.find(&row)? {
            Some(existing) if !self.touched.insert(existing.rowid) => {
                self.report.reject_line(
                    self.path,
                    row.line,
                    "같은 사람(이름·생년월일)이 이 파일의 앞 행에도 있습니다 (앞 행을 반영했습니다)"
                        .to_string(),
                );
            }
            Some(existing) => self.update(&existing, &row)?,
            None => self.insert(&row)?,
        }
        Ok(())
    }

    fn find(&self, row: &ResidentRow) -> Result<Option<Existing>, StoreError> {
        self.tx.resident_by_name_birth(&row.name, &row.birth_date)
    }

    fn update(&mut self, e: &Existing, row: &ResidentRow) -> Result<(), StoreError> {
        let mut changed: Vec<(&str, Val)> = Vec::new();
        let mut set = |col, old: Option<&str>, new: Option<&str>| {
            if let Some(new) = new
                && old != Some(new)
            {
                changed.push((col, Val::text(new)));
            }
        };
        let sex = row.sex.map(|s| s.code().to_string());
        set("sex", e.sex.as_deref(), sex.as_deref());
        set("phone", e.phone.as_deref(), row.phone.as_deref());
        set("address", Some(&e.address), row.address.as_deref());
        set("dong", Some(&e.dong), row.dong.as_deref());
        let sigungu = row.address.as_deref().map(sigungu_from_address);
        set(
            "sigungu",
            Some(&e.sigungu),
            sigungu.as_deref().filter(|s| !s.is_empty()),
        );
        set(
            "rrn_masked",
            e.rrn_masked.as_deref(),
            row.rrn_masked.as_deref(),
        );
        let (flags, risks) = recognise_note(row.note.as_deref().unwrap_or(""));
        if let Some(f) = merge_list(&e.flags, &flags) {
            changed.push(("flags", Val::Text(f)));
        }
        if let Some(r) = merge_list(&e.risks, &risks) {
            changed.push(("risks", Val::Text(r)));
        }
        if changed.is_empty() {
            self.report.unchanged += 1;
            return Ok(());
        }
        self.tx.update("residents", &e.id, &changed)?;
        self.report.updated += 1;
        Ok(())
    }

    fn insert(&mut self, row: &ResidentRow) -> Result<(), StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let (flags, risks) = recognise_note(row.note.as_deref().unwrap_or(""));
        let address = row.address.clone().unwrap_or_default();
        let dong = row.dong.clone().unwrap_or_default();
        self.tx.insert(
            "residents",
            &id,
            &[
                ("name", Val::text(row.name.as_str())),
                ("birth_date", Val::text(row.birth_date.as_str())),
                ("sex", Val::opt(row.sex.map(|s| s.code().to_string()))),
                ("phone", Val::opt(row.phone.clone())),
                ("sigungu", Val::Text(sigungu_from_address(&address))),
                ("dong", Val::text(dong.as_str())),
                ("address", Val::Text(address)),
                ("flags", Val::Text(flags.join(","))),
                ("risks", Val::Text(risks.join(","))),
                ("rrn_masked", Val::opt(row.rrn_masked.clone())),
            ],
        )?;
        self.touched.insert(self.tx.last_insert_rowid());
        self.report.inserted += 1;
        if dong.is_empty() {
            return Ok(());
        }
        let key = lookalike_key(&row.name, &row.birth_date, &dong);
        let known = self.lookalikes.entry(key).or_default();
        if !known.is_empty() {
            self.report.possible_duplicates.push(PossibleDuplicate {
                line: row.line,
                name: row.name.clone(),
                birth_date: row.birth_date.clone(),
                dong: dong.clone(),
                similar: known.clone(),
            });
        }
        known.push((row.name.clone(), row.birth_date.clone()));
        Ok(())
    }
}

/// Every live resident with a 동 and birth date, by look-alike key.
fn load_lookalikes(tx: &Tx<'_>) -> Result<HashMap<String, Vec<(String, String)>>, StoreError> {
    let mut map: HashMap<String, Vec<(String, String)>> = HashMap::new();
    tx.for_each_dated_resident(|name, birth, dong| {
        map.entry(lookalike_key(&name, &birth, &dong))
            .or_default()
            .push((name, birth));
    })?;
    Ok(map)
}

/// Imports a resident list (admin only; the refusal is audited). One transaction; `dry_run`
/// rolls it back. A 주민등록번호 is kept only as birth date, sex and masked form.
pub fn import_residents(
    store: &mut Store,
    path: &Path,
    settings: &ResidentImport,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport, UpsertError> {
    store.require_admin("residents import")?;
    let rows = open_residents(path, &settings.options)?;
    let report = ImportReport::new("residents", rows.info(), path, settings.dry_run);
    let actor = Actor::of(store);
    let mut tx = store.write()?;
    let lookalikes = load_lookalikes(&tx)?;
    let mut up = Upsert {
        tx: &mut tx,
        path,
        report,
        touched: RowSet::default(),
        lookalikes,
    };
    pipeline(rows, Rows::progress, progress, |item| up.apply(item))?;
    let report = up.report;
    actor.finish(tx, &report)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_become_flags_and_risks() {
        assert_eq!(
            recognise_note("독거, 기초수급"),
            (vec!["독거", "기초수급"], vec![])
        );
        assert_eq!(recognise_note("단전 위기"), (vec![], vec!["단전"]));
        assert_eq!(
            recognise_note("건보료 체납·차상위"),
            (vec!["차상위"], vec!["건보료 체납"])
        );
        assert_eq!(recognise_note("특이사항 없음"), (vec![], vec![]));
    }

    #[test]
    fn sigungu() {
        assert_eq!(
            sigungu_from_address("전북특별자치도 전주시 완산구 효자동2가 100-3"),
            "전주시 완산구"
        );
        assert_eq!(
            sigungu_from_address("서울특별시 관악구 보라매동 1"),
            "서울특별시 관악구"
        );
        assert_eq!(sigungu_from_address(""), "");
    }

    #[test]
    fn merging_lists() {
        assert_eq!(merge_list("독거", &["독거"]), None);
        assert_eq!(
            merge_list("독거", &["기초수급"]).as_deref(),
            Some("독거,기초수급")
        );
        assert_eq!(merge_list("", &[]), None);
    }
}

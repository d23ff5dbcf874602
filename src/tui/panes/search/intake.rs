//! 접수 (intake): the form, the duplicate check and registering the resident (and a case).

use super::SearchPane;
use crate::model::Sex;
use crate::search::residents::{ResidentHit, ResidentIndex};
use crate::store::{NewResident, Store};
use crate::tui::panes::fields::{DuplicateAnswer, FieldId, IntakeCase, PaneForm};
use crate::tui::panes::{Effect, FormPurpose, ListState};
use crate::tui::widgets::form::Field;

impl SearchPane {
    pub(super) fn submit_intake(&mut self, form: &PaneForm, store: &mut Store) -> Effect {
        let v = |id: FieldId| form.value(id).map(str::trim).unwrap_or("").to_string();
        let answer = form.chosen::<DuplicateAnswer>(FieldId::DuplicateAnswer);
        let confirmed = answer == Some(DuplicateAnswer::Register);
        if answer == Some(DuplicateAnswer::OpenExisting) {
            // #12: the person is already registered: open them (a case if intake asked for one).
            let open_case = self.pending_intake.take().is_some_and(|(_, open)| open);
            let pick = form
                .field(FieldId::Existing)
                .and_then(|f| f.selected())
                .unwrap_or(0);
            return match self.hits.get(pick).map(|h| h.summary.id.clone()) {
                Some(id) if open_case => Effect::NewCase(id),
                Some(id) => Effect::OpenResident(id),
                None => Effect::Message("열 주민이 없습니다".into()),
            };
        }
        let (new, open_case) = match self.pending_intake.take().filter(|_| confirmed) {
            Some(p) => p,
            None => {
                use crate::resources::import::{mask_rrn_like, normalize_phone};
                // Free text never keeps a 주민등록번호 typed in the wrong field.
                let phone = Some(v(FieldId::Phone))
                    .filter(|s| !s.is_empty())
                    .map(|p| normalize_phone(&p).unwrap_or_else(|_| mask_rrn_like(&p)));
                let address = mask_rrn_like(&v(FieldId::Address));
                // #12 item 5: a refused field keeps the form open, as typed, with the reason there.
                let refuse = |field: FieldId, message: String| {
                    Effect::FormError(FormPurpose::Intake, Box::new(form.clone()), field, message)
                };
                let name = super::duplicates::normalize_name(&v(FieldId::Name));
                if name.is_empty() {
                    return refuse(FieldId::Name, "이름을 입력하세요".into());
                }
                // Dates as people type them (19520314, 1952.3.14, 52.3.14), like the importers.
                let birth = v(FieldId::BirthDate);
                let birth_date = if birth.is_empty() {
                    None
                } else {
                    match crate::resources::import::parse_birth_date(&birth) {
                        Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
                        Err(e) => return refuse(FieldId::BirthDate, e),
                    }
                };
                let mut new = NewResident {
                    name,
                    birth_date,
                    sex: Sex::parse(&v(FieldId::Sex)),
                    phone,
                    sigungu: crate::resources::upsert::sigungu_from_address(&address),
                    dong: v(FieldId::Dong),
                    address,
                    ..NewResident::default()
                };
                // A 주민등록번호 is reduced at once to birth date, sex and a masked form; the
                // full number goes no further than this form.
                let rrn = v(FieldId::Rrn);
                if !rrn.is_empty() {
                    match crate::resources::import::parse_rrn(&rrn) {
                        Ok(p) => {
                            let birth = p.birth_date.format("%Y-%m-%d").to_string();
                            new.birth_date.get_or_insert(birth);
                            new.sex = new.sex.or(Some(p.sex));
                            new.rrn_masked = Some(p.masked);
                        }
                        Err(e) => return refuse(FieldId::Rrn, format!("주민등록번호: {e}")),
                    }
                }
                let open_case = form.chosen(FieldId::OpenCase) == Some(IntakeCase::Open);
                let check = super::duplicates::check(
                    store,
                    self.index.as_ref(),
                    &new.name,
                    new.birth_date.as_deref(),
                    new.phone.as_deref(),
                    &new.dong,
                    &self.intake_query,
                );
                match check {
                    Ok(c) if !c.candidates.is_empty() || c.leftover.is_some() => {
                        let who: Vec<String> = c
                            .candidates
                            .iter()
                            .take(3)
                            .map(|(s, why)| {
                                format!(
                                    "{} {} {} ({})",
                                    s.name,
                                    s.birth_date.as_deref().unwrap_or("-"),
                                    s.dong,
                                    why.label()
                                )
                            })
                            .collect();
                        let mut title = if c.candidates.is_empty() {
                            String::from("확인이 필요합니다")
                        } else {
                            format!("중복 가능성 {}명: {}", c.candidates.len(), who.join(" / "))
                        };
                        if let Some(l) = &c.leftover {
                            title.push_str(&format!(
                                " — 이름 \"{}\"에 \"{l}\"(검색어?)가 붙어 있습니다",
                                new.name
                            ));
                        }
                        let mut fields = vec![Field::choice_of::<DuplicateAnswer>(
                            FieldId::DuplicateAnswer,
                            "중복 확인",
                        )];
                        if !who.is_empty() {
                            // #12: which existing resident "기존 주민 열기" opens.
                            let existing: Vec<&str> = who.iter().map(String::as_str).collect();
                            fields.push(Field::choice(FieldId::Existing, "기존 주민", &existing));
                        }
                        let form = PaneForm::new(&title, fields);
                        self.pending_intake = Some((new, open_case));
                        // Show the likely duplicates in the list too.
                        self.hits = c
                            .candidates
                            .into_iter()
                            .map(|(summary, _)| ResidentHit {
                                summary,
                                class: crate::search::MatchClass::Any,
                                score: 0,
                                positions: Vec::new(),
                            })
                            .collect();
                        self.ranking = crate::search::Ranking::default();
                        self.fetched = 0;
                        self.list = ListState::default();
                        return Effect::OpenForm(FormPurpose::Intake, form);
                    }
                    Ok(_) => {}
                    Err(e) => return Effect::Message(e.to_string()),
                }
                (new, open_case)
            }
        };
        if answer == Some(DuplicateAnswer::Cancel) {
            return Effect::Message("접수를 취소했습니다".into());
        }
        match store.register_resident(&new, open_case) {
            Ok((id, case_id)) => {
                // The new resident joins the index at once (no full rebuild).
                match (store.search_record(&id), &mut self.index) {
                    (Ok(Some(rec)), Some(ix)) => {
                        ix.push(&rec);
                        self.searcher.invalidate();
                    }
                    _ => self.rebuild_index(store),
                }
                match case_id {
                    Some(c) => Effect::OpenCase(c),
                    None => {
                        self.query = new.name.clone();
                        self.run(store);
                        Effect::Message(format!("{} 님을 등록했습니다 ({})", new.name, &id[..8]))
                    }
                }
            }
            Err(e) => Effect::Message(e.to_string()),
        }
    }
}

/// The intake (접수) form. The name is pre-filled from the query only when the query looks like
/// a name (2–5 Hangul syllables); [`SearchPane::replace_prefill`] makes typing replace it.
pub(super) fn intake_form(index: Option<&ResidentIndex>, query: &str) -> PaneForm {
    intake_form_with(index, query, None)
}

/// The intake form, prefilled from a 발굴 row when `from` is given (issue #16 item 5).
fn intake_form_with(
    index: Option<&ResidentIndex>,
    query: &str,
    from: Option<&crate::model::DiscoveryItem>,
) -> PaneForm {
    let mut dongs: Vec<&str> = index
        .map(|ix| ix.dongs().iter().map(String::as_str).collect())
        .unwrap_or_default();
    if let Some(d) = from.map(|i| i.dong.as_str()).filter(|d| !d.is_empty())
        && !dongs.contains(&d)
    {
        dongs.push(d);
    }
    dongs.sort_unstable();
    if dongs.is_empty() {
        dongs.push("");
    }
    let query = super::duplicates::normalize_name(query);
    let name = if super::duplicates::looks_like_name(&query) {
        query.as_str()
    } else {
        ""
    };
    let title = match from {
        Some(i) => format!("새 접수 (초기상담) — 발굴 {} 회차에서", i.round),
        None if name.is_empty() => "새 접수 (주민 등록)".to_string(),
        None => "새 접수 (주민 등록) — 이름은 검색어에서: 치면 바뀝니다".to_string(),
    };
    let pre = |f: fn(&crate::model::DiscoveryItem) -> Option<&str>| from.and_then(f).unwrap_or("");
    let name = from.map_or(name.trim(), |i| i.name.as_str());
    PaneForm::new(
        &title,
        vec![
            Field::text(FieldId::Name, "이름")
                .required()
                .with_value(name),
            Field::birth_date(FieldId::BirthDate, "생년월일")
                .with_value(pre(|i| i.birth_date.as_deref())),
            Field::choice(FieldId::Sex, "성별", &["미상", "남", "여"]),
            Field::text(FieldId::Rrn, "주민등록번호"),
            Field::text(FieldId::Phone, "연락처").with_value(pre(|i| i.phone.as_deref())),
            Field::choice(FieldId::Dong, "읍면동", &dongs).with_value(pre(|i| Some(&i.dong))),
            Field::text(FieldId::Address, "주소").with_value(pre(|i| Some(&i.address))),
            Field::choice_of::<IntakeCase>(FieldId::OpenCase, "사례"),
        ],
    )
}

impl SearchPane {
    /// `enter` on a new candidate of the 발굴 queue: the intake form, prefilled from the row
    /// (name, birth date, phone, 동, address), with 사례 열기 chosen (the case starts at 초기상담).
    pub fn intake_from_discovery(&mut self, item: &crate::model::DiscoveryItem) -> Effect {
        let form = intake_form_with(self.index.as_ref(), "", Some(item));
        self.intake_query = String::new();
        self.prefill_selected = false;
        self.pending_intake = None;
        Effect::OpenForm(FormPurpose::Intake, form)
    }

    /// Before the intake form handles `key`: while the name pre-filled from the query is still
    /// "selected", a typed character replaces it and backspace/delete clear it (true: the key is
    /// used up). Any other key keeps the name and ends the selection.
    pub fn replace_prefill(&mut self, form: &mut PaneForm, key: crate::tui::Key) -> bool {
        use crate::tui::{Action, KeyCode};
        if !std::mem::take(&mut self.prefill_selected) || form.focus() != 0 {
            return false;
        }
        if key.text_char().is_some() {
            form.apply(Action::ClearField);
            return false;
        }
        if matches!(key.code, KeyCode::Backspace | KeyCode::Delete) {
            form.apply(Action::ClearField);
            return true;
        }
        false
    }
}

//! Korean labels for what the database calls by English column names: synced tables, their
//! fields, and coded values (stage `reassessment` → 재사정, sex `F` → 여). The conflicts review
//! and the audit review show these, never the raw names.

use super::{EntryKind, Sex, Stage};

/// The Korean name of a synced table (`residents` → 주민).
pub fn table_label(table: &str) -> &str {
    match table {
        "households" => "가구",
        "residents" | "resident" => "주민",
        "cases" | "case" => "사례",
        "entries" | "entry" => "기록",
        "resources" | "resource" => "자원",
        "referrals" | "referral" => "연계",
        "discovery" => "발굴",
        "bundle" => "묶음",
        "import" => "가져오기",
        "user" | "users" => "사용자",
        other => other,
    }
}

/// The Korean name of a field of a synced table (`cases.stage` → 단계).
pub fn field_label<'a>(table: &str, field: &'a str) -> &'a str {
    match (table, field) {
        (_, "name") => "이름",
        (_, "birth_date") => "생년월일",
        (_, "sex") => "성별",
        (_, "phone") => "전화번호",
        (_, "sigungu") => "시군구",
        (_, "dong") => "읍면동",
        (_, "address") => "주소",
        (_, "household_id") => "가구",
        (_, "flags") => "특성",
        (_, "risks") => "위기 지표",
        (_, "rrn_masked") => "주민등록번호(가림)",
        (_, "resident_id") => "주민",
        (_, "worker") => "담당자",
        ("cases", "category") => "대상자 구분",
        ("resources", "category") => "분류",
        (_, "crisis_score") => "위기도 점수",
        (_, "crisis_level") => "위기도",
        (_, "tags") => "대상 구분",
        (_, "stage") => "단계",
        (_, "opened_on") => "개시일",
        (_, "closed_on") => "종결일",
        (_, "closure_reason") => "종결 사유",
        (_, "aftercare_on") => "사후관리일",
        (_, "last_activity") => "최근 활동",
        (_, "case_id") => "사례",
        (_, "kind") => "종류",
        (_, "author") => "작성자",
        (_, "at") => "일시",
        (_, "body") => "내용",
        (_, "due_on") => "기한",
        (_, "corrects") => "정정 대상",
        (_, "voids") => "무효",
        (_, "detail_type") => "세부 종류",
        (_, "provider_type") => "운영 주체",
        (_, "hours") => "운영 시간",
        (_, "eligibility") => "이용 대상",
        (_, "capacity") => "정원",
        (_, "resource_id") => "자원",
        (_, "status") => "상태",
        (_, "requested_on") => "의뢰일",
        (_, "updated_on") => "변경일",
        (_, "note") => "메모",
        ("discovery", "round") => "회차",
        ("discovery", "signals") => "위기 정보",
        ("discovery", "deadline") => "처리기한",
        ("discovery", "outcome") => "처리 결과",
        ("discovery", "checked_on") => "처리일",
        ("discovery", "checked_by") => "처리자",
        (_, "deleted") => "삭제",
        (_, other) => other,
    }
}

/// A stored value as a person reads it: coded values of `field` get their Korean label, the
/// rest stays as it is.
pub fn value_label(field: &str, value: &str) -> String {
    let coded = match field {
        "stage" => Stage::parse(value).map(Stage::label),
        "kind" => EntryKind::parse(value).map(EntryKind::label),
        "sex" => Sex::parse(value).map(Sex::label),
        "deleted" | "voids" => match value {
            "1" => Some("예"),
            "0" => Some("아니요"),
            _ => None,
        },
        _ => None,
    };
    coded.map_or_else(|| value.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_field_and_value_read_in_korean() {
        assert_eq!(table_label("cases"), "사례");
        assert_eq!(field_label("cases", "stage"), "단계");
        assert_eq!(value_label("stage", Stage::Reassessment.code()), "재사정");
        assert_eq!(field_label("residents", "phone"), "전화번호");
        assert_eq!(value_label("phone", "010-1234-5678"), "010-1234-5678");
    }
}

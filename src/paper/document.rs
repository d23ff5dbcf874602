//! The case document model: everything a 서식 is filled from, taken from a case's timeline
//! (the latest uncorrected version of each entry; voided entries left out), masked by default.
//!
//! Templates name its values by Korean field names ([`SCALARS`], [`LISTS`]); see
//! [`CaseDocument::scalar`] and [`CaseDocument::list`].

use crate::model::{EntryKind, Resident, Stage};
use crate::privacy::mask_phone;
use crate::store::Store;
use crate::timeline::rules::CRISIS_DOMAINS;
use crate::timeline::{Timeline, TimelineItem};
use serde::Serialize;

/// How a document is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentOptions {
    /// Contact details in full (the audited `--full`); masked otherwise.
    pub full: bool,
    /// `YYYY-MM-DD HH:MM`.
    pub generated_at: String,
    pub generated_by: String,
}

/// The 대상자 block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResidentInfo {
    pub name: String,
    pub birth_date: String,
    pub sex: String,
    /// `010-****-1234` unless full.
    pub phone: String,
    /// 시군구 and 동 only unless full.
    pub address: String,
    pub dong: String,
    /// Always masked (the full number is never stored).
    pub rrn_masked: String,
    pub flags: Vec<String>,
    pub risks: Vec<String>,
}

/// The 사례 block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseInfo {
    pub id: String,
    pub category: String,
    pub worker: String,
    pub stage: String,
    pub opened_on: String,
    pub tags: Vec<String>,
    pub crisis_score: Option<i64>,
    pub crisis_level: Option<String>,
}

/// One entry as a 서식 shows it (its current version).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub kind: String,
    pub author: String,
    pub text: String,
    pub due_on: Option<String>,
}

/// The latest 욕구·위기도 조사.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub note: Note,
    /// (영역, 점수) in the order of [`CRISIS_DOMAINS`].
    pub scores: Vec<(String, Option<i64>)>,
    pub total: Option<i64>,
    pub level: Option<String>,
}

/// The latest 서비스 제공계획.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub note: Note,
    pub goals: Vec<String>,
    pub services: Vec<String>,
    /// The plan's day and its follow-up (review) date: the planned period.
    pub start: String,
    pub end: Option<String>,
}

/// One 사례회의.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conference {
    pub note: Note,
    pub attendees: Vec<String>,
}

/// One referral (연계 자원).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceLine {
    pub resource: String,
    pub status: String,
    pub requested_on: String,
    pub updated_on: String,
    pub note: String,
}

/// One stage with the day the case entered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageLine {
    pub on: String,
    pub stage: String,
    pub reason: String,
}

/// 종결.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Closure {
    pub closed_on: String,
    pub reason: String,
    /// What the closing entry says beyond the reason (결과).
    pub outcome: String,
    pub aftercare_on: String,
}

/// Everything a 서식 can show about one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDocument {
    pub generated_at: String,
    pub generated_by: String,
    pub masked: bool,
    pub resident: ResidentInfo,
    pub case: CaseInfo,
    pub initial_consult: Option<Note>,
    pub assessment: Option<Assessment>,
    pub plan: Option<Plan>,
    pub resources: Vec<ResourceLine>,
    pub conferences: Vec<Conference>,
    pub monitoring: Vec<Note>,
    /// 방문, 전화, 내방.
    pub contacts: Vec<Note>,
    pub stages: Vec<StageLine>,
    pub closure: Option<Closure>,
    /// Every live entry but stage changes, oldest first.
    pub entries: Vec<Note>,
}

/// Scalar field names a template may use (`{대상자.이름}`).
pub const SCALARS: &[&str] = &[
    "출력.일시",
    "출력.작성자",
    "출력.구분",
    "대상자.이름",
    "대상자.생년월일",
    "대상자.성별",
    "대상자.전화",
    "대상자.주소",
    "대상자.동",
    "대상자.주민등록번호",
    "대상자.특성",
    "대상자.위기징후",
    "사례.번호",
    "사례.구분",
    "사례.담당",
    "사례.단계",
    "사례.개시일",
    "사례.대상특성",
    "사례.위기도",
    "사례.위기도점수",
    "사례.위기도수준",
    "초기상담.일시",
    "초기상담.작성자",
    "초기상담.내용",
    "조사.일시",
    "조사.작성자",
    "조사.내용",
    "조사.합계",
    "조사.수준",
    "조사.안전",
    "조사.건강",
    "조사.일상생활",
    "조사.가족관계",
    "조사.경제",
    "조사.주거",
    "조사.정신건강",
    "계획.일시",
    "계획.작성자",
    "계획.내용",
    "계획.시작일",
    "계획.종료일",
    "계획.기간",
    "회의.일시",
    "회의.작성자",
    "회의.참석자",
    "회의.결정",
    "모니터링.일시",
    "모니터링.작성자",
    "모니터링.내용",
    "종결.일자",
    "종결.사유",
    "종결.결과",
    "종결.사후관리일",
];

/// List field names and the item fields each offers (`반복 계획.목표 | {번호} | {내용}`).
pub const LISTS: &[(&str, &[&str])] = &[
    ("계획.목표", &["번호", "내용"]),
    ("계획.서비스", &["번호", "내용"]),
    ("연계", &["자원", "상태", "의뢰일", "변경일", "메모"]),
    ("조사.영역", &["영역", "점수"]),
    ("사례회의", &["일시", "작성자", "참석자", "결정"]),
    ("모니터링", &["일시", "작성자", "내용", "후속"]),
    ("접촉", &["일시", "종류", "작성자", "내용"]),
    ("단계", &["날짜", "단계", "사유"]),
    ("기록", &["일시", "종류", "작성자", "내용", "후속"]),
];

/// Item fields of list `name`, if it is one.
pub fn list_fields(name: &str) -> Option<&'static [&'static str]> {
    LISTS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// One item of a list: (field, value) pairs in the order of [`LISTS`].
pub type Item = Vec<(&'static str, String)>;

const DASH: &str = "-";

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        DASH.to_string()
    } else {
        s.to_string()
    }
}

fn opt_or_dash(s: Option<&str>) -> String {
    or_dash(s.unwrap_or(""))
}

fn strings(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Hides what a masked document must not show inside free text: the resident's phone number
/// and the detail of the address, where a note quotes them.
struct Masker {
    pairs: Vec<(String, String)>,
}

impl Masker {
    fn new(r: &Resident, full: bool) -> Masker {
        let mut pairs = Vec::new();
        if !full {
            if let Some(p) = r.phone.as_deref().filter(|p| p.len() >= 4) {
                pairs.push((p.to_string(), mask_phone(p)));
            }
            let head = short_address(r);
            if let Some(detail) = r.address.strip_prefix(head.as_str()).map(str::trim)
                && detail.chars().count() >= 4
            {
                pairs.push((detail.to_string(), "(주소 가림)".to_string()));
            } else if r.address.chars().count() >= 6 && r.address != head {
                pairs.push((r.address.clone(), head.clone()));
            }
        }
        Masker { pairs }
    }

    fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (from, to) in &self.pairs {
            if out.contains(from.as_str()) {
                out = out.replace(from.as_str(), to);
            }
        }
        out
    }
}

/// 시군구 and 동: the address as a masked document shows it.
fn short_address(r: &Resident) -> String {
    [r.sigungu.as_str(), r.dong.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

fn note(item: &TimelineItem, m: &Masker) -> Note {
    Note {
        at: item.original.at.clone(),
        kind: item.original.kind.label().to_string(),
        author: item.original.author.clone(),
        text: m.text(item.text()),
        due_on: item.due_on().map(String::from),
    }
}

impl CaseDocument {
    /// Builds the document of a loaded timeline.
    pub fn from_timeline(t: &Timeline, r: &Resident, opts: &DocumentOptions) -> CaseDocument {
        let full = opts.full;
        let m = Masker::new(r, full);
        let c = &t.header.case;
        let live: Vec<&TimelineItem> = t.items.iter().filter(|i| !i.is_voided()).collect();
        let latest = |k: EntryKind| live.iter().rev().find(|i| i.original.kind == k).copied();
        let of_kind = |k: EntryKind| -> Vec<&TimelineItem> {
            live.iter()
                .filter(|i| i.original.kind == k)
                .copied()
                .collect()
        };

        let assessment = latest(EntryKind::Assessment).map(|i| {
            let data = &i.current().data;
            let scores_obj = data.get("scores");
            let scores: Vec<(String, Option<i64>)> = CRISIS_DOMAINS
                .iter()
                .map(|d| {
                    (
                        (*d).to_string(),
                        scores_obj.and_then(|s| s.get(*d)).and_then(|v| v.as_i64()),
                    )
                })
                .collect();
            let sum: Option<i64> = scores.iter().map(|(_, s)| *s).sum();
            let total = data.get("total").and_then(|v| v.as_i64()).or(sum);
            Assessment {
                note: note(i, &m),
                scores,
                total,
                level: total.map(|t| crate::timeline::rules::crisis_level(t).to_string()),
            }
        });

        let plan = latest(EntryKind::Plan).map(|i| {
            let data = &i.current().data;
            let n = note(i, &m);
            Plan {
                start: n.at.get(..10).unwrap_or(&n.at).to_string(),
                end: n.due_on.clone(),
                goals: strings(data.get("goals"))
                    .iter()
                    .map(|g| m.text(g))
                    .collect(),
                services: strings(data.get("services"))
                    .iter()
                    .map(|g| m.text(g))
                    .collect(),
                note: n,
            }
        });

        let conferences = of_kind(EntryKind::Conference)
            .into_iter()
            .map(|i| Conference {
                note: note(i, &m),
                attendees: strings(i.current().data.get("attendees")),
            })
            .collect();

        let contacts = live
            .iter()
            .filter(|i| {
                matches!(
                    i.original.kind,
                    EntryKind::Visit | EntryKind::Call | EntryKind::OfficeVisit
                )
            })
            .map(|i| note(i, &m))
            .collect();

        let closure = c.closed_on.as_ref().map(|closed_on| {
            let reason = c.closure_reason.clone().unwrap_or_default();
            let closing = live.iter().rev().find(|i| {
                i.original.kind == EntryKind::StageChange
                    && i.current()
                        .data
                        .get("to")
                        .and_then(|v| v.as_str())
                        .and_then(Stage::parse)
                        .is_some_and(|s| !s.is_open())
            });
            let outcome = closing
                .map(|i| {
                    let said = i
                        .current()
                        .data
                        .get("reason")
                        .and_then(|v| v.as_str())
                        .unwrap_or("");
                    match said.split_once(": ") {
                        Some((_, rest)) if !rest.trim().is_empty() => rest.trim().to_string(),
                        _ => i.text().to_string(),
                    }
                })
                .unwrap_or_default();
            Closure {
                closed_on: closed_on.clone(),
                reason: or_dash(&reason),
                outcome: or_dash(&m.text(&outcome)),
                aftercare_on: opt_or_dash(c.aftercare_on.as_deref()),
            }
        });

        CaseDocument {
            generated_at: opts.generated_at.clone(),
            generated_by: opts.generated_by.clone(),
            masked: !full,
            resident: ResidentInfo {
                name: r.name.clone(),
                birth_date: opt_or_dash(r.birth_date.as_deref()),
                sex: r.sex.map_or(DASH.to_string(), |s| s.label().to_string()),
                phone: r.phone.as_deref().map_or(DASH.to_string(), |p| {
                    if full { p.to_string() } else { mask_phone(p) }
                }),
                address: if full {
                    or_dash(&r.address)
                } else {
                    or_dash(&short_address(r))
                },
                dong: or_dash(&r.dong),
                rrn_masked: opt_or_dash(r.rrn_masked.as_deref()),
                flags: r.flags.clone(),
                risks: r.risks.clone(),
            },
            case: CaseInfo {
                id: c.id.clone(),
                category: c.category.clone(),
                worker: c.worker.clone(),
                stage: c.stage.label().to_string(),
                opened_on: c.opened_on.clone(),
                tags: c.tags.clone(),
                crisis_score: c.crisis_score,
                crisis_level: c.crisis_level.clone(),
            },
            initial_consult: latest(EntryKind::InitialConsult).map(|i| note(i, &m)),
            assessment,
            plan,
            resources: t
                .referrals
                .iter()
                .map(|f| ResourceLine {
                    resource: f.resource_name.clone(),
                    status: f.referral.status.clone(),
                    requested_on: f.referral.requested_on.clone(),
                    updated_on: f.referral.updated_on.clone(),
                    note: m.text(&f.referral.note),
                })
                .collect(),
            conferences,
            monitoring: of_kind(EntryKind::Monitoring)
                .into_iter()
                .map(|i| note(i, &m))
                .collect(),
            contacts,
            stages: t
                .stage_history()
                .into_iter()
                .map(|s| StageLine {
                    on: s.on,
                    stage: s.stage.label().to_string(),
                    reason: s.reason.unwrap_or_default(),
                })
                .collect(),
            closure,
            entries: live
                .iter()
                .filter(|i| i.original.kind != EntryKind::StageChange)
                .map(|i| note(i, &m))
                .collect(),
        }
    }

    /// Loads a case and builds its document (no audit row: the caller records the 출력).
    pub fn load(
        store: &Store,
        case_id: &str,
        full: bool,
    ) -> Result<CaseDocument, super::PaperError> {
        let t = crate::timeline::load(store, case_id)?;
        let r = store.case_resident(&t.header.case.resident_id)?;
        let opts = DocumentOptions {
            full,
            generated_at: store.clock().now().format("%Y-%m-%d %H:%M").to_string(),
            generated_by: store.operator().to_string(),
        };
        Ok(CaseDocument::from_timeline(&t, &r, &opts))
    }

    /// The value of scalar field `name` (one of [`SCALARS`]); `-` when the case has none.
    pub fn scalar(&self, name: &str) -> Option<String> {
        let r = &self.resident;
        let c = &self.case;
        let a = self.assessment.as_ref();
        let p = self.plan.as_ref();
        let conf = self.conferences.last();
        let mon = self.monitoring.last();
        let cl = self.closure.as_ref();
        let ic = self.initial_consult.as_ref();
        let note_at = |n: Option<&Note>| n.map_or(DASH.to_string(), |n| n.at.clone());
        let note_by = |n: Option<&Note>| n.map_or(DASH.to_string(), |n| n.author.clone());
        let note_text = |n: Option<&Note>| n.map_or(DASH.to_string(), |n| or_dash(&n.text));
        let join = |v: &[String]| or_dash(&v.join(", "));
        let v = match name {
            "출력.일시" => self.generated_at.clone(),
            "출력.작성자" => self.generated_by.clone(),
            "출력.구분" => if self.masked {
                "연락처 가림"
            } else {
                "전체"
            }
            .to_string(),
            "대상자.이름" => r.name.clone(),
            "대상자.생년월일" => r.birth_date.clone(),
            "대상자.성별" => r.sex.clone(),
            "대상자.전화" => r.phone.clone(),
            "대상자.주소" => r.address.clone(),
            "대상자.동" => r.dong.clone(),
            "대상자.주민등록번호" => r.rrn_masked.clone(),
            "대상자.특성" => join(&r.flags),
            "대상자.위기징후" => join(&r.risks),
            "사례.번호" => c.id.clone(),
            "사례.구분" => or_dash(&c.category),
            "사례.담당" => or_dash(&c.worker),
            "사례.단계" => c.stage.clone(),
            "사례.개시일" => c.opened_on.clone(),
            "사례.대상특성" => join(&c.tags),
            "사례.위기도" => match (c.crisis_score, &c.crisis_level) {
                (Some(n), Some(l)) => format!("{n}점 ({l})"),
                (Some(n), None) => format!("{n}점"),
                _ => DASH.to_string(),
            },
            "사례.위기도점수" => c.crisis_score.map_or(DASH.to_string(), |n| n.to_string()),
            "사례.위기도수준" => opt_or_dash(c.crisis_level.as_deref()),
            "초기상담.일시" => note_at(ic),
            "초기상담.작성자" => note_by(ic),
            "초기상담.내용" => note_text(ic),
            "조사.일시" => note_at(a.map(|a| &a.note)),
            "조사.작성자" => note_by(a.map(|a| &a.note)),
            "조사.내용" => note_text(a.map(|a| &a.note)),
            "조사.합계" => a
                .and_then(|a| a.total)
                .map_or(DASH.to_string(), |t| t.to_string()),
            "조사.수준" => opt_or_dash(a.and_then(|a| a.level.as_deref())),
            "계획.일시" => note_at(p.map(|p| &p.note)),
            "계획.작성자" => note_by(p.map(|p| &p.note)),
            "계획.내용" => note_text(p.map(|p| &p.note)),
            "계획.시작일" => p.map_or(DASH.to_string(), |p| p.start.clone()),
            "계획.종료일" => opt_or_dash(p.and_then(|p| p.end.as_deref())),
            "계획.기간" => p.map_or(DASH.to_string(), |p| {
                format!("{} ~ {}", p.start, p.end.as_deref().unwrap_or(""))
                    .trim()
                    .to_string()
            }),
            "회의.일시" => note_at(conf.map(|c| &c.note)),
            "회의.작성자" => note_by(conf.map(|c| &c.note)),
            "회의.참석자" => conf.map_or(DASH.to_string(), |c| join(&c.attendees)),
            "회의.결정" => note_text(conf.map(|c| &c.note)),
            "모니터링.일시" => note_at(mon),
            "모니터링.작성자" => note_by(mon),
            "모니터링.내용" => note_text(mon),
            "종결.일자" => cl.map_or(DASH.to_string(), |c| c.closed_on.clone()),
            "종결.사유" => cl.map_or(DASH.to_string(), |c| c.reason.clone()),
            "종결.결과" => cl.map_or(DASH.to_string(), |c| c.outcome.clone()),
            "종결.사후관리일" => cl.map_or(DASH.to_string(), |c| c.aftercare_on.clone()),
            other => {
                let domain = other.strip_prefix("조사.")?;
                if !CRISIS_DOMAINS.contains(&domain) {
                    return None;
                }
                a.and_then(|a| a.scores.iter().find(|(d, _)| d == domain))
                    .and_then(|(_, s)| *s)
                    .map_or(DASH.to_string(), |s| s.to_string())
            }
        };
        Some(v)
    }

    /// The items of list field `name` (one of [`LISTS`]).
    pub fn list(&self, name: &str) -> Option<Vec<Item>> {
        let numbered = |v: &[String]| -> Vec<Item> {
            v.iter()
                .enumerate()
                .map(|(i, s)| vec![("번호", (i + 1).to_string()), ("내용", s.clone())])
                .collect()
        };
        let due = |n: &Note| opt_or_dash(n.due_on.as_deref());
        Some(match name {
            "계획.목표" => self
                .plan
                .as_ref()
                .map(|p| numbered(&p.goals))
                .unwrap_or_default(),
            "계획.서비스" => self
                .plan
                .as_ref()
                .map(|p| numbered(&p.services))
                .unwrap_or_default(),
            "연계" => self
                .resources
                .iter()
                .map(|f| {
                    vec![
                        ("자원", f.resource.clone()),
                        ("상태", f.status.clone()),
                        ("의뢰일", f.requested_on.clone()),
                        ("변경일", f.updated_on.clone()),
                        ("메모", or_dash(&f.note)),
                    ]
                })
                .collect(),
            "조사.영역" => self
                .assessment
                .as_ref()
                .map(|a| {
                    a.scores
                        .iter()
                        .map(|(d, s)| {
                            vec![
                                ("영역", d.clone()),
                                ("점수", s.map_or(DASH.to_string(), |s| s.to_string())),
                            ]
                        })
                        .collect()
                })
                .unwrap_or_default(),
            "사례회의" => self
                .conferences
                .iter()
                .map(|c| {
                    vec![
                        ("일시", c.note.at.clone()),
                        ("작성자", c.note.author.clone()),
                        ("참석자", or_dash(&c.attendees.join(", "))),
                        ("결정", or_dash(&c.note.text)),
                    ]
                })
                .collect(),
            "모니터링" => self
                .monitoring
                .iter()
                .map(|n| {
                    vec![
                        ("일시", n.at.clone()),
                        ("작성자", n.author.clone()),
                        ("내용", or_dash(&n.text)),
                        ("후속", due(n)),
                    ]
                })
                .collect(),
            "접촉" => self
                .contacts
                .iter()
                .map(|n| {
                    vec![
                        ("일시", n.at.clone()),
                        ("종류", n.kind.clone()),
                        ("작성자", n.author.clone()),
                        ("내용", or_dash(&n.text)),
                    ]
                })
                .collect(),
            "단계" => self
                .stages
                .iter()
                .map(|s| {
                    vec![
                        ("날짜", s.on.clone()),
                        ("단계", s.stage.clone()),
                        ("사유", or_dash(&s.reason)),
                    ]
                })
                .collect(),
            "기록" => self
                .entries
                .iter()
                .map(|n| {
                    vec![
                        ("일시", n.at.clone()),
                        ("종류", n.kind.clone()),
                        ("작성자", n.author.clone()),
                        ("내용", or_dash(&n.text)),
                        ("후속", due(n)),
                    ]
                })
                .collect(),
            _ => return None,
        })
    }
}

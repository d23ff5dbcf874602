//! Deterministic synthetic data for demos, tests and benchmarks (`dolbom demo`).
//!
//! Same seed, same operator and same "today" (see [`crate::clock`]) → the same database
//! content. Names follow real Korean surname frequencies; ages are skewed old, as the
//! people a 돌봄 team follows are; cases move through the 통합사례관리 stages.

use crate::model::{EntryKind, RESOURCE_CATEGORIES, Stage};
use crate::store::{Result, Store, Tx, Val};
use crate::timeline::rules::{CRISIS_DOMAINS, crisis_level};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

/// Options for [`generate`].
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub residents: usize,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            residents: 10_000,
            seed: 1,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub households: usize,
    pub residents: usize,
    pub cases: usize,
    pub entries: usize,
    pub resources: usize,
    pub referrals: usize,
}

/// The 시군구 of the demo and its 읍면동 (21 real 행정동 of 관악구).
pub const SIGUNGU: &str = "서울특별시 관악구";
pub const DONGS: [&str; 21] = [
    "보라매동",
    "청림동",
    "성현동",
    "행운동",
    "낙성대동",
    "청룡동",
    "은천동",
    "중앙동",
    "인헌동",
    "남현동",
    "서원동",
    "신원동",
    "서림동",
    "신사동",
    "신림동",
    "난향동",
    "조원동",
    "대학동",
    "삼성동",
    "미성동",
    "난곡동",
];

/// Surnames with their share per 10,000 people (통계청 2015 인구주택총조사, rounded).
const SURNAMES: [(&str, u32); 40] = [
    ("김", 2150),
    ("이", 1470),
    ("박", 840),
    ("최", 470),
    ("정", 430),
    ("강", 240),
    ("조", 210),
    ("윤", 210),
    ("장", 200),
    ("임", 170),
    ("한", 150),
    ("오", 150),
    ("서", 150),
    ("신", 140),
    ("권", 140),
    ("황", 140),
    ("안", 140),
    ("송", 140),
    ("전", 130),
    ("홍", 110),
    ("유", 110),
    ("고", 90),
    ("문", 90),
    ("양", 90),
    ("손", 90),
    ("배", 80),
    ("백", 70),
    ("허", 60),
    ("남", 50),
    ("심", 50),
    ("노", 40),
    ("하", 40),
    ("곽", 40),
    ("성", 40),
    ("차", 40),
    ("주", 40),
    ("우", 40),
    ("구", 40),
    ("민", 30),
    ("나", 30),
];

const MALE_FIRST: [&str; 24] = [
    "영", "정", "성", "상", "종", "재", "동", "병", "광", "민", "준", "현", "지", "태", "승", "기",
    "창", "용", "철", "석", "만", "춘", "덕", "수",
];
const MALE_SECOND: [&str; 22] = [
    "수", "호", "철", "식", "석", "남", "길", "환", "훈", "민", "준", "우", "현", "진", "영", "기",
    "일", "근", "배", "규", "섭", "국",
];
const FEMALE_FIRST: [&str; 24] = [
    "순", "영", "정", "옥", "말", "명", "춘", "경", "복", "금", "미", "은", "현", "지", "수", "혜",
    "민", "서", "윤", "하", "숙", "분", "점", "귀",
];
const FEMALE_SECOND: [&str; 22] = [
    "자", "순", "숙", "희", "례", "녀", "옥", "선", "영", "정", "경", "진", "아", "연", "은", "임",
    "남", "분", "덕", "애", "란", "화",
];
const ROADS: [&str; 12] = [
    "관악로",
    "남부순환로",
    "봉천로",
    "신림로",
    "난곡로",
    "호암로",
    "낙성대로",
    "은천로",
    "국회단지길",
    "조원로",
    "문성로",
    "쑥고개로",
];
const STAFF: [&str; 9] = [
    "박지현",
    "이수진",
    "최민호",
    "정다은",
    "강은영",
    "조현우",
    "윤서연",
    "장민재",
    "임하늘",
];
const CLOSURE_REASONS: [&str; 6] = [
    "목표 달성",
    "이사",
    "사망",
    "거부",
    "연락두절",
    "타기관 이관",
];
const TAGS: [&str; 7] = [
    "신규수급자",
    "수급탈락",
    "긴급지원",
    "가족돌봄청년",
    "1인가구",
    "고독사 위험",
    "자살 고위험",
];

/// splitmix64: tiny, fast, and its stream never changes between crate versions.
#[derive(Debug, Clone)]
pub struct Rng(u64);

/// Makes ids in creation order (UUIDv7: a millisecond stamp, then random bits) so bulk inserts
/// append to the B-trees instead of splitting random pages.
struct IdGen {
    next_ms: i64,
}

impl IdGen {
    fn id(&mut self, rng: &mut Rng) -> String {
        self.next_ms += 1;
        rng.id(self.next_ms)
    }
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    /// True with probability `p` (0..=1).
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(u64::from(total)) as u32;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
    /// A UUIDv7-shaped id with a timestamp of `ms` and random bits from this stream.
    fn id(&mut self, ms: i64) -> String {
        let a = self.next_u64().to_le_bytes();
        let b = self.next_u64().to_le_bytes();
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&a);
        bytes[8..].copy_from_slice(&b[..2]);
        uuid::Builder::from_unix_timestamp_millis(ms.max(0) as u64, &bytes)
            .into_uuid()
            .to_string()
    }
}

struct Person {
    sex: char,
    birth: NaiveDate,
}

/// Generates demo data into `store` in one transaction. `progress(done, total)` is called
/// every few thousand residents.
pub fn generate(
    store: &mut Store,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<DemoSummary> {
    let today = store.clock().today();
    let operator = store.operator().to_string();
    let mut tx = store.write()?;
    let mut g = Gen {
        rng: Rng::new(opts.seed),
        today,
        operator,
        workers: Vec::new(),
        summary: DemoSummary::default(),
        resource_ids: Vec::new(),
        ids: IdGen {
            next_ms: day_ms(today) - 800 * 86_400_000,
        },
    };
    g.staff(opts.residents);
    g.resources(&mut tx)?;
    while g.summary.residents < opts.residents {
        g.household(&mut tx, opts.residents)?;
        if g.summary.residents % 2000 < 5 {
            progress(g.summary.residents.min(opts.residents), opts.residents);
        }
    }
    progress(opts.residents, opts.residents);
    tx.commit()?;
    Ok(g.summary)
}

struct Gen {
    rng: Rng,
    today: NaiveDate,
    operator: String,
    /// Case workers: the operator, the named staff, and more for big demos so that each has a
    /// realistic caseload (about 100 cases).
    workers: Vec<String>,
    summary: DemoSummary,
    resource_ids: Vec<String>,
    ids: IdGen,
}

fn day_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(9, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(0)
}

impl Gen {
    /// One worker per ~400 residents (at least 10 including the operator).
    fn staff(&mut self, residents: usize) {
        self.workers.push(self.operator.clone());
        self.workers.extend(STAFF.iter().map(|s| s.to_string()));
        while self.workers.len() < (residents / 400).max(10) {
            let sex = if self.rng.chance(0.7) { 'F' } else { 'M' };
            let name = self.name(sex, None);
            if !self.workers.contains(&name) {
                self.workers.push(name);
            }
        }
    }

    fn date_ago(&mut self, lo_days: i64, hi_days: i64) -> NaiveDate {
        self.today - Duration::days(self.rng.range(lo_days, hi_days))
    }

    fn birth_for_age(&mut self, lo: i64, hi: i64) -> NaiveDate {
        let age = self.rng.range(lo, hi);
        let year = self.today.year() - age as i32 - 1;
        let ordinal = self.rng.range(1, 365) as u32;
        NaiveDate::from_yo_opt(year, ordinal)
            .or_else(|| NaiveDate::from_yo_opt(year, 1))
            .unwrap_or(self.today)
    }

    fn name(&mut self, sex: char, surname: Option<&str>) -> String {
        let s = surname.unwrap_or_else(|| *self.rng.weighted(&SURNAMES));
        let (first, second) = if sex == 'M' {
            (*self.rng.pick(&MALE_FIRST), *self.rng.pick(&MALE_SECOND))
        } else {
            (
                *self.rng.pick(&FEMALE_FIRST),
                *self.rng.pick(&FEMALE_SECOND),
            )
        };
        if self.rng.chance(0.02) {
            // Some single-syllable given names (김민, 이현).
            format!("{s}{first}")
        } else {
            format!("{s}{first}{second}")
        }
    }

    fn phone(&mut self, elderly: bool) -> Option<String> {
        if self.rng.chance(0.04) {
            return None;
        }
        if elderly && self.rng.chance(0.15) {
            return Some(format!(
                "02-8{:02}-{:04}",
                self.rng.below(100),
                self.rng.below(10_000)
            ));
        }
        Some(format!(
            "010-{:04}-{:04}",
            self.rng.range(2000, 9999),
            self.rng.below(10_000)
        ))
    }

    /// One household of 1–5 people, and cases for some of them.
    fn household(&mut self, tx: &mut Tx<'_>, limit: usize) -> Result<()> {
        let size = *self
            .rng
            .weighted(&[(1usize, 45), (2, 30), (3, 12), (4, 9), (5, 4)]);
        let size = size.min(limit - self.summary.residents).max(1);
        let dong = *self.rng.pick(&DONGS);
        let address = format!(
            "{} {}{} {}",
            SIGUNGU,
            self.rng.pick(&ROADS),
            if self.rng.chance(0.5) {
                format!("{}길", self.rng.range(1, 40))
            } else {
                String::new()
            },
            self.rng.range(1, 300)
        );
        let hh_id = self.ids.id(&mut self.rng);
        tx.insert(
            "households",
            &hh_id,
            &[("dong", dong.into()), ("address", address.clone().into())],
        )?;
        self.summary.households += 1;

        let members = self.members(size);
        let surname = *self.rng.weighted(&SURNAMES);
        for (i, p) in members.iter().enumerate() {
            let same_surname = i > 0 && p.birth.year() > members[0].birth.year() + 15;
            let name = self.name(p.sex, same_surname.then_some(surname));
            let age = self.today.year() - p.birth.year();
            let elderly = age >= 65;
            let mut flags = Vec::new();
            if size == 1 && elderly {
                flags.push("독거");
            }
            if self.rng.chance(0.08) {
                flags.push("기초수급");
            } else if self.rng.chance(0.04) {
                flags.push("차상위");
            }
            if self.rng.chance(0.06) {
                flags.push("장애");
            }
            let mut risks = Vec::new();
            for (risk, p) in [
                ("단전", 0.01),
                ("단수", 0.006),
                ("건보료 체납", 0.015),
                ("통신비 체납", 0.01),
                ("주거위기", 0.006),
            ] {
                if self.rng.chance(p) {
                    risks.push(risk);
                }
            }
            let sex_digit = match (p.sex, p.birth.year() >= 2000) {
                ('M', false) => 1,
                ('F', false) => 2,
                ('M', true) => 3,
                _ => 4,
            };
            let rrn_masked = format!("{}-{}******", p.birth.format("%y%m%d"), sex_digit);
            let id = self.ids.id(&mut self.rng);
            let phone = if age < 14 { None } else { self.phone(elderly) };
            tx.insert(
                "residents",
                &id,
                &[
                    ("name", name.into()),
                    ("birth_date", p.birth.format("%Y-%m-%d").to_string().into()),
                    ("sex", Val::text(p.sex.to_string())),
                    ("phone", phone.into()),
                    ("sigungu", SIGUNGU.into()),
                    ("dong", dong.into()),
                    ("address", address.clone().into()),
                    ("household_id", hh_id.clone().into()),
                    ("flags", flags.join(",").into()),
                    ("risks", risks.join(",").into()),
                    ("rrn_masked", rrn_masked.into()),
                ],
            )?;
            self.summary.residents += 1;
            // About a quarter of residents have a case; more of those at risk or alone.
            let p_case = if !risks.is_empty() || flags.contains(&"독거") {
                0.45
            } else {
                0.2
            };
            if age >= 14 && self.rng.chance(p_case) {
                let tags: Vec<&str> = {
                    let mut t = Vec::new();
                    if size == 1 {
                        t.push("1인가구");
                    }
                    if self.rng.chance(0.2) {
                        t.push(*self.rng.pick(&TAGS));
                    }
                    t.dedup();
                    t
                };
                self.case(tx, &id, &hh_id, &tags)?;
            }
        }
        Ok(())
    }

    fn members(&mut self, size: usize) -> Vec<Person> {
        let sex = |rng: &mut Rng| if rng.chance(0.5) { 'M' } else { 'F' };
        let mut v = Vec::with_capacity(size);
        let head_old = match size {
            1 => self.rng.chance(0.88),
            2 => self.rng.chance(0.8),
            _ => self.rng.chance(0.5),
        };
        let head_sex = if size == 1 && self.rng.chance(0.7) {
            'F'
        } else {
            sex(&mut self.rng)
        };
        let head_birth = if head_old {
            self.birth_for_age(65, 95)
        } else {
            self.birth_for_age(30, 64)
        };
        v.push(Person {
            sex: head_sex,
            birth: head_birth,
        });
        for i in 1..size {
            let head_age = i64::from(self.today.year() - head_birth.year());
            let p = if i == 1 && (size == 2 || self.rng.chance(0.7)) {
                // Spouse.
                Person {
                    sex: if head_sex == 'M' { 'F' } else { 'M' },
                    birth: self.birth_for_age((head_age - 5).max(19), head_age + 4),
                }
            } else {
                let lo = (head_age - 40).max(0);
                let hi = (head_age - 20).max(lo);
                Person {
                    sex: sex(&mut self.rng),
                    birth: self.birth_for_age(lo, hi),
                }
            };
            v.push(p);
        }
        v
    }

    /// One case with its timeline.
    fn case(
        &mut self,
        tx: &mut Tx<'_>,
        resident: &str,
        household: &str,
        tags: &[&str],
    ) -> Result<()> {
        use Stage::*;
        let linkage = self.rng.chance(0.12);
        let path: &[Stage] = if linkage {
            &Stage::LINKAGE_TRACK
        } else {
            &Stage::MAIN_TRACK
        };
        // How far along: weights favour cases in 모니터링.
        let weights: Vec<(usize, u32)> = path
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let w = match s {
                    Monitoring => 34,
                    Discovery | InitialConsult => 5,
                    Reassessment => 5,
                    Closed => 8,
                    Aftercare => 7,
                    _ => 8,
                };
                (i, w)
            })
            .collect();
        let last = *self.rng.weighted(&weights);
        let stages = &path[..=last];
        let final_stage = stages[stages.len() - 1];

        // Days the case has been open: longer the further it went.
        let span = (last as i64 * self.rng.range(6, 30) + self.rng.range(1, 10)).min(720);
        let opened = self.today - Duration::days(span);
        let open_case = final_stage.is_open();
        // Open cases: the latest contact between today and ~45 days ago.
        let quiet_days = if open_case {
            self.rng.range(0, 45).min(span)
        } else {
            self.rng.range(0, 20).min(span)
        };
        let end = self.today - Duration::days(quiet_days);
        let total =
            (stages.len() as i64 + self.rng.range(0, 14) + last as i64).clamp(3, 40) as usize;
        let worker = self.rng.pick(&self.workers).clone();
        let case_id = self.ids.id(&mut self.rng);

        // Crisis score from an assessment, if the case got that far.
        let assessed = stages.contains(&Assessment) || linkage && last >= 2;
        let scores: Vec<i64> = CRISIS_DOMAINS
            .iter()
            .map(|_| self.rng.range(1, 5))
            .collect();
        let score: i64 = scores.iter().sum();
        let level = crisis_level(score);
        let category = if linkage {
            "서비스연계"
        } else if stages.contains(&Selection) {
            *self.rng.weighted(&[
                ("사례관리 고난도", 25),
                ("사례관리 일반", 60),
                ("서비스연계", 15),
            ])
        } else {
            ""
        };
        let closed_on = (!open_case).then(|| end - Duration::days(self.rng.range(0, 5)));
        let closed_on = closed_on.map(|d| d.max(opened));
        let closure = (!open_case).then(|| {
            *self.rng.weighted(&[
                ("목표 달성", 55),
                ("이사", 10),
                ("사망", 8),
                ("거부", 10),
                ("연락두절", 10),
                ("타기관 이관", 7),
            ])
        });
        let aftercare_on = closed_on.map(|d| d + Duration::days(self.rng.range(60, 180)));
        debug_assert!(CLOSURE_REASONS.contains(&closure.unwrap_or("목표 달성")));

        // Timeline times spread from opened to end.
        let start = opened.and_hms_opt(9, 0, 0).unwrap_or_default();
        let end_t = end.and_hms_opt(17, 0, 0).unwrap_or_default();
        let step = ((end_t - start).num_minutes().max(1)) / total as i64;
        let times: Vec<NaiveDateTime> = (0..total)
            .map(|i| {
                let base = start + Duration::minutes(step * i as i64);
                let jitter = self.rng.range(0, (step / 2).clamp(0, 600));
                let t = base + Duration::minutes(jitter);
                // Office hours.
                let d = t.date();
                d.and_hms_opt(
                    9 + self.rng.range(0, 8) as u32,
                    self.rng.range(0, 5) as u32 * 10,
                    0,
                )
                .unwrap_or(t)
            })
            .collect();
        let last_activity = times.last().copied().unwrap_or(start);

        tx.insert(
            "cases",
            &case_id,
            &[
                ("resident_id", resident.into()),
                ("household_id", household.into()),
                ("worker", worker.clone().into()),
                ("category", category.into()),
                ("crisis_score", Val::from(assessed.then_some(score))),
                ("crisis_level", Val::opt(assessed.then_some(level))),
                ("tags", tags.join(",").into()),
                ("stage", final_stage.code().into()),
                ("opened_on", fmt_date(opened).into()),
                ("closed_on", closed_on.map(fmt_date).into()),
                ("closure_reason", Val::opt(closure)),
                ("aftercare_on", aftercare_on.map(fmt_date).into()),
                ("last_activity", fmt_time(last_activity).into()),
            ],
        )?;
        self.summary.cases += 1;

        // Which stage each entry happens in: stage k starts at entry k * total / stages.
        let mut stage_idx = 0usize;
        for (i, t) in times.iter().enumerate() {
            let want = i * stages.len() / total;
            let mut kind_data: Option<(EntryKind, String, serde_json::Value)> = None;
            if want > stage_idx {
                let from = stages[stage_idx];
                stage_idx = want;
                let to = stages[stage_idx];
                let mut data = serde_json::json!({"from": from.code(), "to": to.code()});
                let body = if to == Closed {
                    let reason = closure.unwrap_or("목표 달성");
                    data["reason"] = reason.into();
                    format!("사례 종결. 종결 사유: {reason}")
                } else {
                    format!("{} → {}", from.label(), to.label())
                };
                kind_data = Some((EntryKind::StageChange, body, data));
            }
            let stage = stages[stage_idx];
            let (kind, body, data) = match kind_data {
                Some(k) => k,
                None => self.entry_for(stage, &scores, score, tx, &case_id, t)?,
            };
            let due = if i + 1 == total && open_case || self.rng.chance(0.06) {
                Some(t.date() + Duration::days(self.rng.range(3, 30)))
            } else {
                None
            };
            let id = self.ids.id(&mut self.rng);
            let author = if self.rng.chance(0.85) {
                worker.clone()
            } else {
                self.rng.pick(&STAFF).to_string()
            };
            tx.insert(
                "entries",
                &id,
                &[
                    ("case_id", case_id.as_str().into()),
                    ("kind", kind.code().into()),
                    ("author", author.into()),
                    ("at", fmt_time(*t).into()),
                    ("body", body.into()),
                    ("due_on", due.map(fmt_date).into()),
                    ("data", data.to_string().into()),
                ],
            )?;
            self.summary.entries += 1;
        }
        Ok(())
    }

    /// An ordinary entry fitting the stage; referrals also create the referral row.
    fn entry_for(
        &mut self,
        stage: Stage,
        scores: &[i64],
        score: i64,
        tx: &mut Tx<'_>,
        case_id: &str,
        t: &NaiveDateTime,
    ) -> Result<(EntryKind, String, serde_json::Value)> {
        let empty = serde_json::json!({});
        Ok(match stage {
            Stage::Discovery => (
                EntryKind::Memo,
                self.rng
                    .pick(&[
                        "복지사각지대 발굴 명단(단전·단수·건보료 체납)으로 확인. 방문 예정.",
                        "이웃 주민 제보: 며칠째 인기척이 없다고 함. 안부 확인 필요.",
                        "통장 추천으로 발굴. 홀로 거주, 거동 불편.",
                        "주민센터 내방 상담 중 위기 상황 확인.",
                    ])
                    .to_string(),
                empty,
            ),
            Stage::InitialConsult => (
                EntryKind::InitialConsult,
                self.rng
                    .pick(&[
                        "초기상담 실시. 생계 곤란과 건강 문제 호소. 서비스 안내함.",
                        "자택 방문 초기상담. 주거 환경 열악, 식사 불규칙.",
                        "전화 초기상담. 본인 동의 하에 통합사례관리 접수 예정.",
                    ])
                    .to_string(),
                empty,
            ),
            Stage::Assessment | Stage::Reassessment => {
                let mut data = serde_json::Map::new();
                for (d, s) in CRISIS_DOMAINS.iter().zip(scores) {
                    data.insert((*d).to_string(), (*s).into());
                }
                (
                    EntryKind::Assessment,
                    format!(
                        "욕구·위기도 조사 실시. 위기도 {score}점 ({}). 건강·경제 영역 욕구 높음.",
                        crisis_level(score)
                    ),
                    serde_json::json!({ "scores": data }),
                )
            }
            Stage::Conference => {
                let a = self.rng.pick(&STAFF).to_string();
                (
                    EntryKind::Conference,
                    "사례회의 개최. 서비스 제공 방향 논의, 보건소·복지관과 역할 분담.".to_string(),
                    serde_json::json!({ "attendees": [a, "보건소 방문간호사", "복지관 사례관리자"] }),
                )
            }
            Stage::Selection | Stage::Intake => (
                EntryKind::OfficeVisit,
                "접수 면담. 동의서 작성, 대상자 구분 검토.".to_string(),
                empty,
            ),
            Stage::Planning => (
                EntryKind::Plan,
                "서비스 제공계획 수립: 건강 관리, 식생활 지원, 정서 지원.".to_string(),
                serde_json::json!({ "goals": ["정기 건강 확인", "주 3회 도시락 지원", "월 2회 안부 확인"] }),
            ),
            Stage::Linkage | Stage::Monitoring if self.rng.chance(0.18) => {
                self.referral(tx, case_id, t)?
            }
            _ => {
                let kind = *self.rng.weighted(&[
                    (EntryKind::Visit, 30),
                    (EntryKind::Call, 35),
                    (EntryKind::Monitoring, 20),
                    (EntryKind::Memo, 10),
                    (EntryKind::OfficeVisit, 5),
                ]);
                let body = match kind {
                    EntryKind::Visit => self.rng.pick(&[
                        "가정 방문. 어르신 건강 상태 양호, 식사 잘 하고 계심.",
                        "가정 방문. 무릎 통증 호소, 병원 동행 필요.",
                        "가정 방문. 집안 정리 상태 불량, 주거환경 개선 연계 검토.",
                        "가정 방문. 우울감 호소, 정신건강복지센터 연계 고려.",
                    ]),
                    EntryKind::Call => self.rng.pick(&[
                        "안부 전화. 특이사항 없음.",
                        "안부 전화. 도시락 배달 잘 받고 계심.",
                        "전화 연결 안 됨. 내일 재시도.",
                        "안부 전화. 병원 진료 예약 확인.",
                    ]),
                    EntryKind::Monitoring => self.rng.pick(&[
                        "서비스 제공 점검. 계획대로 제공 중.",
                        "모니터링: 연계 기관 서비스 만족도 높음.",
                        "모니터링: 서비스 일부 중단, 재연계 필요.",
                    ]),
                    EntryKind::OfficeVisit => self.rng.pick(&[
                        "센터 내방. 긴급지원 신청 서류 제출.",
                        "센터 내방. 공과금 체납 상담.",
                    ]),
                    _ => self.rng.pick(&[
                        "보호자(자녀)와 통화, 상황 공유.",
                        "통장 통해 안부 확인 요청.",
                        "관련 서류 스캔 보관.",
                    ]),
                };
                (kind, body.to_string(), empty)
            }
        })
    }

    fn referral(
        &mut self,
        tx: &mut Tx<'_>,
        case_id: &str,
        t: &NaiveDateTime,
    ) -> Result<(EntryKind, String, serde_json::Value)> {
        let resource = self.rng.pick(&self.resource_ids).clone();
        let age_days = (self.today - t.date()).num_days();
        let status = if age_days > 60 {
            *self
                .rng
                .weighted(&[("완료", 60), ("제공 중", 30), ("거절", 10)])
        } else if age_days > 14 {
            *self
                .rng
                .weighted(&[("제공 중", 50), ("접수", 30), ("의뢰", 20)])
        } else {
            *self.rng.weighted(&[("의뢰", 60), ("접수", 40)])
        };
        let id = self.ids.id(&mut self.rng);
        let on = fmt_date(t.date());
        tx.insert(
            "referrals",
            &id,
            &[
                ("case_id", case_id.into()),
                ("resource_id", resource.as_str().into()),
                ("status", status.into()),
                ("requested_on", on.clone().into()),
                ("updated_on", on.into()),
                ("note", "".into()),
            ],
        )?;
        self.summary.referrals += 1;
        Ok((
            EntryKind::Referral,
            "자원 연계 의뢰. 의뢰서 발송, 담당자와 통화함.".to_string(),
            serde_json::json!({ "referral_id": id, "resource_id": resource, "status": status }),
        ))
    }

    /// About 300 local resources across the directory's categories.
    fn resources(&mut self, tx: &mut Tx<'_>) -> Result<()> {
        // (category, provider type, name template with {dong} or {n}, per-dong?)
        const TEMPLATES: [(&str, &str, &str, &str); 30] = [
            (
                "보건·의료",
                "공공",
                "관악구보건소 방문건강관리",
                "방문건강관리",
            ),
            (
                "보건·의료",
                "공공",
                "{dong} 건강생활지원센터",
                "건강생활지원센터",
            ),
            ("보건·의료", "민간", "관악{n}내과의원 방문진료", "방문진료"),
            (
                "보건·의료",
                "공공",
                "보라매병원 의료사회복지팀",
                "의료사회복지",
            ),
            ("돌봄·요양", "공공", "관악구 치매안심센터", "치매안심센터"),
            (
                "돌봄·요양",
                "민간",
                "노인맞춤돌봄서비스 {dong} 수행기관",
                "노인맞춤돌봄",
            ),
            (
                "돌봄·요양",
                "민간",
                "관악{n} 재가노인복지센터",
                "재가노인복지시설",
            ),
            ("돌봄·요양", "민간", "관악{n} 주야간보호센터", "주야간보호"),
            ("주거", "공공", "관악구 주거복지센터", "주거복지센터"),
            ("주거", "민간", "집수리 봉사단 {n}팀", "주거환경개선"),
            ("식품·생계", "민간", "관악푸드뱅크", "푸드뱅크"),
            ("식품·생계", "민간", "{dong} 푸드마켓", "푸드마켓"),
            ("식품·생계", "민간", "사랑의 도시락 {n}호점", "도시락 배달"),
            ("식품·생계", "민간", "{dong} 경로식당", "경로식당"),
            (
                "고용·일자리",
                "공공",
                "관악구 노인일자리지원센터",
                "노인일자리",
            ),
            ("고용·일자리", "공공", "관악지역자활센터", "자활"),
            (
                "정신건강",
                "공공",
                "관악구 정신건강복지센터",
                "정신건강복지센터",
            ),
            ("정신건강", "민간", "마음쉼터 상담소 {n}", "심리상담"),
            ("장애인", "민간", "관악장애인종합복지관", "장애인복지관"),
            ("장애인", "민간", "{dong} 장애인활동지원기관", "활동지원"),
            ("아동·가족", "공공", "관악구 가족센터", "가족센터"),
            ("아동·가족", "민간", "{dong} 지역아동센터", "지역아동센터"),
            ("아동·가족", "공공", "관악구 드림스타트", "드림스타트"),
            (
                "법률·금융",
                "공공",
                "대한법률구조공단 관악출장소",
                "법률구조",
            ),
            (
                "법률·금융",
                "공공",
                "서울금융복지상담센터 관악센터",
                "금융복지상담",
            ),
            ("교육·문화", "민간", "{dong} 작은도서관", "작은도서관"),
            (
                "교육·문화",
                "민간",
                "관악노인종합복지관 평생교육",
                "노인복지관",
            ),
            ("기타", "민간", "{dong} 새마을부녀회", "지역단체"),
            ("기타", "민간", "관악구 자원봉사센터 {n}지부", "자원봉사"),
            ("돌봄·요양", "민간", "관악{n} 방문요양센터", "방문요양"),
        ];
        let mut n = 0;
        let mut round = 0;
        while n < 300 {
            for (cat, provider, template, detail) in TEMPLATES {
                debug_assert!(RESOURCE_CATEGORIES.contains(&cat));
                let per_round = template.contains("{dong}") || template.contains("{n}");
                if round > 0 && !per_round {
                    continue;
                }
                let dong = DONGS[(round + n) % DONGS.len()];
                let name = template
                    .replace("{dong}", dong)
                    .replace("{n}", &(round + 1).to_string());
                let id = self.ids.id(&mut self.rng);
                let capacity = self.rng.range(10, 120);
                let imported = fmt_date(self.date_ago(30, 200));
                tx.insert(
                    "resources",
                    &id,
                    &[
                        ("name", name.into()),
                        ("category", cat.into()),
                        ("detail_type", detail.into()),
                        ("provider_type", provider.into()),
                        (
                            "address",
                            format!(
                                "{SIGUNGU} {} {}",
                                self.rng.pick(&ROADS),
                                self.rng.range(1, 300)
                            )
                            .into(),
                        ),
                        (
                            "phone",
                            format!(
                                "02-8{:02}-{:04}",
                                self.rng.below(100),
                                self.rng.below(10_000)
                            )
                            .into(),
                        ),
                        ("hours", "평일 09:00-18:00".into()),
                        (
                            "eligibility",
                            (*self.rng.pick(&[
                                "65세 이상 어르신",
                                "기초생활수급자·차상위",
                                "관악구 주민 누구나",
                                "장애인 및 가족",
                                "위기가구 (의뢰 필요)",
                            ]))
                            .into(),
                        ),
                        ("capacity", Val::Int(capacity)),
                        ("source", "demo".into()),
                        ("source_key", format!("DEMO-{:04}", n + 1).into()),
                        ("imported_at", imported.into()),
                    ],
                )?;
                self.resource_ids.push(id);
                n += 1;
                if n >= 300 {
                    break;
                }
            }
            round += 1;
        }
        self.summary.resources = n;
        Ok(())
    }
}

fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn fmt_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// Shape statistics of a database (for checking that demo data looks real).
#[derive(Debug, Clone, Default)]
pub struct DemoStats {
    pub residents: i64,
    pub over_65: i64,
    pub dongs: i64,
    pub households: i64,
    pub single_households: i64,
    pub kim: i64,
    pub with_risk: i64,
    pub phones_ok: bool,
    pub min_entries: i64,
    pub max_entries: i64,
}

impl Store {
    /// Shape statistics; see [`DemoStats`].
    pub fn demo_stats(&self) -> Result<DemoStats> {
        let year = self.clock().today().year();
        let one = |sql: &str| -> Result<i64> {
            self.conn()
                .query_row(sql, [], |r| r.get(0))
                .map_err(|e| self.sql_err(e))
        };
        let (min_entries, max_entries) = self
            .conn()
            .query_row(
                "SELECT coalesce(min(n), 0), coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM entries GROUP BY case_id)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.sql_err(e))?;
        Ok(DemoStats {
            residents: one("SELECT count(*) FROM residents")?,
            over_65: one(&format!(
                "SELECT count(*) FROM residents WHERE CAST(substr(birth_date, 1, 4) AS INTEGER) <= {}",
                year - 65
            ))?,
            dongs: one("SELECT count(DISTINCT dong) FROM residents")?,
            households: one("SELECT count(*) FROM households")?,
            single_households: one(
                "SELECT count(*) FROM (SELECT household_id FROM residents GROUP BY household_id HAVING count(*) = 1)",
            )?,
            kim: one("SELECT count(*) FROM residents WHERE name LIKE '김%'")?,
            with_risk: one("SELECT count(*) FROM residents WHERE risks <> ''")?,
            phones_ok: one(
                "SELECT count(*) FROM residents WHERE phone IS NOT NULL AND phone NOT GLOB '010-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]' AND phone NOT GLOB '02-[0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]'",
            )? == 0,
            min_entries,
            max_entries,
        })
    }
}

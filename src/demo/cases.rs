//! Cases and their timelines: stages, entries, referrals.

use super::*;

pub(super) const CLOSURE_REASONS: [&str; 6] = [
    "목표 달성",
    "이사",
    "사망",
    "거부",
    "연락두절",
    "타기관 이관",
];
pub(super) const TAGS: [&str; 7] = [
    "신규수급자",
    "수급탈락",
    "긴급지원",
    "가족돌봄청년",
    "1인가구",
    "고독사 위험",
    "자살 고위험",
];

impl Gen {
    /// One case with its timeline.
    pub(super) fn case(
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
    pub(super) fn entry_for(
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

    pub(super) fn referral(
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
}

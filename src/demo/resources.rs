//! The local resource directory (about 300 resources).

use super::*;

impl Gen {
    /// About 300 local resources across the directory's categories.
    pub(super) fn resources(&mut self, tx: &mut Tx<'_>) -> Result<()> {
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

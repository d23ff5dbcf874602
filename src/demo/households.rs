//! Households and their members.

use super::*;

pub(super) struct Person {
    sex: char,
    birth: NaiveDate,
}

impl Gen {
    /// One household of 1–5 people, and cases for some of them.
    pub(super) fn household(&mut self, tx: &mut Tx<'_>, limit: usize) -> Result<()> {
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

    pub(super) fn members(&mut self, size: usize) -> Vec<Person> {
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
}

//! The audit log (개인정보의 안전성 확보조치 기준 §8): who viewed or changed whose record, when,
//! from which host. Append-only (triggers refuse UPDATE/DELETE) and hash-chained: each row stores
//! SHA-256 over its content and the previous row's hash, so an edit or a removal is detectable.
//!
//! The domain face of the log. Storage (the SQL, the append primitive, the hash chain) lives in
//! `store::audit`; this module names what callers work with:
//!
//! - recording: [`Event`] via `Store::audit` (its own transaction) or `Tx::audit` (inside a change);
//! - review: `Store::audit_rows` with an [`AuditFilter`];
//! - the monthly summary (§8: 월 1회 이상 점검): `Store::audit_month` → [`OperatorSummary`];
//! - verification: `Store::audit_verify` → [`VerifyReport`].
//!
//! Never put personal data (names, phones, 주민등록번호) in an event's `detail`.

pub use crate::store::audit::{
    AuditFilter, AuditHead, AuditRow, Event, GENESIS, HeadWarning, NamedAuditRow, OperatorSummary,
    VerifyReport, WitnessedHead, audit_key, rechain, row_mac,
};

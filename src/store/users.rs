//! Operators and roles (`users`, local to the site).

use super::audit::{Event, append};
use super::{Result, Role, Store, StoreError};
use crate::model::AuditAction;
use rusqlite::params;

impl Store {
    /// Every operator and role, by name.
    pub fn users(&self) -> Result<Vec<(String, Role)>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT name, role FROM users ORDER BY name")
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.sql_err(e))
            .map(|v| {
                v.into_iter()
                    .map(|(n, r)| (n, Role::parse(&r).unwrap_or(Role::Staff)))
                    .collect()
            })
    }

    /// Refuses (and audits the refusal) unless the operator is an admin.
    pub fn require_admin(&self, what: &str) -> Result<()> {
        if self.role() == Role::Admin {
            return Ok(());
        }
        self.audit(&Event {
            action: AuditAction::Denied,
            resident_id: None,
            subject: what,
            detail: "admin only",
        })?;
        Err(StoreError::Invalid(format!(
            "{what}: 관리자만 할 수 있습니다 ({} is staff; admin only). 관리자에게 요청하세요.",
            self.operator()
        )))
    }

    /// Adds or changes an operator (admin only); audited.
    pub fn add_user(&self, name: &str, role: Role) -> Result<()> {
        self.require_admin("users add")?;
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "users add: 이름이 비어 있습니다 (empty name)".into(),
            ));
        }
        let tx = self
            .conn()
            .unchecked_transaction()
            .map_err(|e| self.sql_err(e))?;
        tx.execute(
            "INSERT INTO users (name, role, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET role = excluded.role",
            params![name, role.as_str(), self.clock().stamp()],
        )
        .map_err(|e| self.sql_err(e))?;
        append(
            &tx,
            self.operator(),
            self.host(),
            &self.clock().stamp(),
            &Event {
                action: AuditAction::Update,
                resident_id: None,
                subject: &format!("user:{name}"),
                detail: role.as_str(),
            },
        )
        .map_err(|e| self.sql_err(e))?;
        tx.commit().map_err(|e| self.sql_err(e))
    }
}

//! Operators and roles (`users`, local to the site), and the one role check every privileged
//! path goes through ([`Store::require`]), the TUI's and the CLI's alike.

use super::audit::{Event, append};
use super::{Result, Role, Store, StoreError};
use crate::crypto::keyslots::{NameError, normalize_operator};
use crate::model::AuditAction;
use rusqlite::{Connection, OptionalExtension, params};

/// An operator name in its one canonical form: trimmed, NFC, no control or invisible
/// formatting characters, at most 64 characters. `" root"` and `"root"` are one operator;
/// a name with a newline or an ESC code is refused. `what` names the field in the message.
pub fn canonical_operator(raw: &str, what: &str) -> Result<String> {
    normalize_operator(raw).map_err(|e| {
        let why = match e {
            NameError::Empty => "비어 있습니다 (empty)".to_string(),
            NameError::TooLong => format!(
                "{}자보다 깁니다 (too long)",
                crate::crypto::keyslots::MAX_OPERATOR_CHARS
            ),
            NameError::ControlCharacter(c) => format!(
                "제어 문자나 보이지 않는 문자(U+{c:04X})가 들어 있습니다 (control or invisible character)"
            ),
        };
        StoreError::Invalid(format!("{what}: 작업자 이름이 {why}"))
    })
}

/// The role an operator seen for the first time gets. Admin only on a database without an
/// admin whose audit log is empty (a new database) or begins with this operator (a database
/// made before roles existed: its first operator, even when others opened it first); staff
/// everywhere else. Typing an unknown name never makes an admin of a database that has one,
/// nor of one whose history began with someone else.
pub(super) fn new_operator_role(conn: &Connection, operator: &str) -> rusqlite::Result<Role> {
    let admins: i64 =
        conn.query_row("SELECT count(*) FROM users WHERE role = 'admin'", [], |r| {
            r.get(0)
        })?;
    if admins > 0 {
        return Ok(Role::Staff);
    }
    let first: Option<String> = conn
        .query_row(
            "SELECT operator FROM audit_log ORDER BY seq LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match first {
        None => Role::Admin,
        Some(first) if normalize_operator(&first).ok().as_deref() == Some(operator) => Role::Admin,
        Some(_) => Role::Staff,
    })
}

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

    /// Whether the operator's role allows what `needed` may do.
    pub fn allows(&self, needed: Role) -> bool {
        self.role().allows(needed)
    }

    /// The one role check of every privileged path (CLI and TUI): `Ok` when the operator's
    /// role is `needed` or above; otherwise the refusal is audited (거부, subject `what`) and
    /// [`StoreError::Denied`] returned. A refusal stays a refusal even when the audit row
    /// cannot be written (a read-only database).
    pub fn require(&self, needed: Role, what: &str) -> Result<()> {
        if self.allows(needed) {
            return Ok(());
        }
        let detail = format!("{} only", needed.as_str());
        let audited = self
            .audit(&Event {
                action: AuditAction::Denied,
                resident_id: None,
                subject: what,
                detail: &detail,
            })
            .is_ok();
        Err(StoreError::Denied {
            what: what.to_string(),
            operator: self.operator().to_string(),
            role: self.role(),
            needed,
            audited,
        })
    }

    /// [`Store::require`] for admin-only actions.
    pub fn require_admin(&self, what: &str) -> Result<()> {
        self.require(Role::Admin, what)
    }

    /// Adds an operator or changes an operator's role (admin only); audited. The name is made
    /// canonical first ([`canonical_operator`]). The last admin cannot be made staff.
    pub fn add_user(&self, name: &str, role: Role) -> Result<()> {
        self.require_admin("users add")?;
        let name = canonical_operator(name, "users add")?;
        let tx = self
            .conn()
            .unchecked_transaction()
            .map_err(|e| self.sql_err(e))?;
        let current: Option<String> = tx
            .query_row("SELECT role FROM users WHERE name = ?1", [&name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql_err(e))?;
        if current.as_deref().and_then(Role::parse) == Some(Role::Admin) && role < Role::Admin {
            last_admin_check(&tx, &name).map_err(|e| self.sql_err(e))??;
        }
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

    /// Removes an operator (admin only); audited. The last admin cannot be removed.
    pub fn remove_user(&self, name: &str) -> Result<()> {
        self.require_admin("users remove")?;
        let name = canonical_operator(name, "users remove")?;
        let tx = self
            .conn()
            .unchecked_transaction()
            .map_err(|e| self.sql_err(e))?;
        let current: Option<String> = tx
            .query_row("SELECT role FROM users WHERE name = ?1", [&name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql_err(e))?;
        let Some(current) = current else {
            return Err(StoreError::NotFound(format!("작업자 {name}")));
        };
        if Role::parse(&current) == Some(Role::Admin) {
            last_admin_check(&tx, &name).map_err(|e| self.sql_err(e))??;
        }
        tx.execute("DELETE FROM users WHERE name = ?1", [&name])
            .map_err(|e| self.sql_err(e))?;
        append(
            &tx,
            self.operator(),
            self.host(),
            &self.clock().stamp(),
            &Event {
                action: AuditAction::Delete,
                resident_id: None,
                subject: &format!("user:{name}"),
                detail: "removed",
            },
        )
        .map_err(|e| self.sql_err(e))?;
        tx.commit().map_err(|e| self.sql_err(e))
    }
}

/// Refuses to take away `name`'s admin role when no other admin would be left (nobody could
/// then add operators or read the audit log).
fn last_admin_check(conn: &Connection, name: &str) -> rusqlite::Result<Result<()>> {
    let others: i64 = conn.query_row(
        "SELECT count(*) FROM users WHERE role = 'admin' AND name <> ?1",
        [name],
        |r| r.get(0),
    )?;
    Ok(if others == 0 {
        Err(StoreError::Invalid(format!(
            "{name}: 마지막 관리자입니다 — 다른 관리자를 먼저 추가하세요 (the last admin cannot be removed or made staff)"
        )))
    } else {
        Ok(())
    })
}

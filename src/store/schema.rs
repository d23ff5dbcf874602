//! Numbered schema migrations, keyed on `PRAGMA user_version`.
//!
//! Each migration runs in one transaction that also bumps `user_version`. Never edit a
//! migration that has shipped: add a new one.

/// Synced tables: every row has `id`, `site_id`, `hlc`, `deleted`, and every local change to
/// them appends to `ops` in the same transaction.
pub const SYNCED_TABLES: [&str; 7] = [
    "households",
    "residents",
    "cases",
    "entries",
    "resources",
    "referrals",
    "discovery",
];

/// Bookkeeping columns of a synced row, never op fields: `insert_seq` (V5, not on `entries`) is
/// the seq of the insert op that still points at the row (see `materialize_insert`), else NULL.
pub const ROW_META: [&str; 5] = ["id", "site_id", "hlc", "deleted", "insert_seq"];

/// `MIGRATIONS[i]` brings a file from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    V1,
    V2,
    V3,
    V4,
    V5,
    V6,
    V7,
    V_PRIVACY,
    V_AUDIT,
    V_TEAM,
    V_INDEX,
    V_DISCOVERY,
    V_VISITS,
    V_DISCOVERY_BULK,
    V_TODAY,
    V_TODAY_1M,
    super::search_index::V_INDEX_DELTA,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE households (
    id      TEXT PRIMARY KEY,
    site_id TEXT NOT NULL,
    hlc     INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    dong    TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);

CREATE TABLE residents (
    id           TEXT PRIMARY KEY,
    site_id      TEXT NOT NULL,
    hlc          INTEGER NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    name         TEXT NOT NULL,
    birth_date   TEXT,
    sex          TEXT CHECK (sex IN ('M', 'F')),
    phone        TEXT,
    sigungu      TEXT NOT NULL DEFAULT '',
    dong         TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    household_id TEXT REFERENCES households(id),
    flags        TEXT NOT NULL DEFAULT '',
    risks        TEXT NOT NULL DEFAULT '',
    rrn_masked   TEXT CHECK (rrn_masked IS NULL OR rrn_masked GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][*][*][*][*][*][*]')
);
CREATE INDEX residents_household ON residents(household_id);
CREATE INDEX residents_name_birth ON residents(name, birth_date);

CREATE TABLE cases (
    id             TEXT PRIMARY KEY,
    site_id        TEXT NOT NULL,
    hlc            INTEGER NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0,
    resident_id    TEXT NOT NULL REFERENCES residents(id),
    household_id   TEXT REFERENCES households(id),
    worker         TEXT NOT NULL,
    category       TEXT NOT NULL DEFAULT '',
    crisis_score   INTEGER,
    crisis_level   TEXT,
    tags           TEXT NOT NULL DEFAULT '',
    stage          TEXT NOT NULL,
    opened_on      TEXT NOT NULL,
    closed_on      TEXT,
    closure_reason TEXT,
    aftercare_on   TEXT,
    last_activity  TEXT NOT NULL
);
CREATE INDEX cases_resident ON cases(resident_id);
CREATE INDEX cases_stage ON cases(stage, worker);
CREATE INDEX cases_activity ON cases(last_activity);

-- The case timeline. Append-only: triggers refuse UPDATE and DELETE.
CREATE TABLE entries (
    id       TEXT PRIMARY KEY,
    site_id  TEXT NOT NULL,
    hlc      INTEGER NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0,
    case_id  TEXT NOT NULL REFERENCES cases(id),
    kind     TEXT NOT NULL,
    author   TEXT NOT NULL,
    at       TEXT NOT NULL,
    body     TEXT NOT NULL DEFAULT '',
    due_on   TEXT,
    data     TEXT NOT NULL DEFAULT '{}',
    corrects TEXT REFERENCES entries(id),
    voids    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX entries_case ON entries(case_id, at);
CREATE INDEX entries_due ON entries(due_on) WHERE due_on IS NOT NULL;
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only: add a correction instead'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only: add a correction instead'); END;

CREATE TABLE resources (
    id            TEXT PRIMARY KEY,
    site_id       TEXT NOT NULL,
    hlc           INTEGER NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    name          TEXT NOT NULL,
    category      TEXT NOT NULL DEFAULT '기타',
    detail_type   TEXT NOT NULL DEFAULT '',
    provider_type TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    hours         TEXT NOT NULL DEFAULT '',
    eligibility   TEXT NOT NULL DEFAULT '',
    capacity      INTEGER,
    source        TEXT NOT NULL DEFAULT '',
    source_key    TEXT,
    imported_at   TEXT
);
CREATE UNIQUE INDEX resources_source_key ON resources(source, source_key) WHERE source_key IS NOT NULL;
CREATE INDEX resources_category ON resources(category);

CREATE TABLE referrals (
    id           TEXT PRIMARY KEY,
    site_id      TEXT NOT NULL,
    hlc          INTEGER NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    resource_id  TEXT NOT NULL REFERENCES resources(id),
    status       TEXT NOT NULL,
    requested_on TEXT NOT NULL,
    updated_on   TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX referrals_case ON referrals(case_id);
CREATE INDEX referrals_resource ON referrals(resource_id, status);

-- Local, append-only, hash-chained access and change log.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    operator    TEXT NOT NULL,
    host        TEXT NOT NULL,
    action      TEXT NOT NULL,
    resident_id TEXT,
    subject     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_resident ON audit_log(resident_id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- The op log: every change to a synced table, local or received.
CREATE TABLE ops (
    origin TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    hlc    INTEGER NOT NULL,
    tbl    TEXT NOT NULL,
    row_id TEXT NOT NULL,
    kind   TEXT NOT NULL CHECK (kind IN ('insert', 'update', 'delete')),
    -- JSON object column -> value. NULL for an insert into `entries`: entries never change,
    -- so the row itself is the op's content and is not stored twice.
    fields TEXT,
    PRIMARY KEY (origin, seq)
) WITHOUT ROWID;
-- Per-field last-writer-wins looks up a row's ops; entries are insert-only and need no lookup.
CREATE INDEX ops_row ON ops(tbl, row_id) WHERE tbl <> 'entries';

CREATE TABLE sync_peers (
    site_id        TEXT PRIMARY KEY,
    name           TEXT NOT NULL DEFAULT '',
    sign_key       TEXT,
    age_recipient  TEXT,
    trusted        INTEGER NOT NULL DEFAULT 0,
    last_export_at TEXT,
    last_import_at TEXT
);

-- What we know each peer already has: highest seq per origin.
CREATE TABLE sync_vv (
    peer   TEXT NOT NULL,
    origin TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (peer, origin)
) WITHOUT ROWID;

CREATE TABLE sync_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('export', 'import')),
    peer      TEXT,
    bundle_id TEXT NOT NULL,
    file      TEXT NOT NULL,
    ops_total INTEGER NOT NULL,
    applied   INTEGER NOT NULL DEFAULT 0,
    known     INTEGER NOT NULL DEFAULT 0,
    conflicts INTEGER NOT NULL DEFAULT 0
);
"#;

const V2: &str = r#"
-- Operators and their roles; the first operator of a new database is admin.
CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'staff')),
    created_at TEXT NOT NULL
);

-- Every value that lost a concurrent edit, kept for a person to review.
CREATE TABLE conflicts (
    id          TEXT PRIMARY KEY,
    tbl         TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    field       TEXT NOT NULL,
    kept_value  TEXT,
    kept_hlc    INTEGER NOT NULL,
    kept_origin TEXT NOT NULL,
    lost_value  TEXT,
    lost_hlc    INTEGER NOT NULL,
    lost_origin TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution  TEXT
);
CREATE INDEX conflicts_open ON conflicts(resolved_at);
"#;

const V3: &str = r#"
-- Timelines and the 오늘 lists (see src/timeline/due.rs).
-- Corrections of an entry (current version, void check).
CREATE INDEX entries_corrects ON entries(corrects) WHERE corrects IS NOT NULL;
-- Latest contact of a case: one seek per case. The WHERE must match the query's terms exactly
-- (contact kinds in EntryKind order; see src/store/cases.rs).
CREATE INDEX entries_contact ON entries(case_id, at)
    WHERE corrects IS NULL AND kind IN ('initial_consult', 'visit', 'call', 'office_visit', 'assessment', 'monitoring');
-- Stage changes of a case (guide deadlines), without reading its other entries.
CREATE INDEX entries_stage_change ON entries(case_id, at) WHERE kind = 'stage_change';
-- Entries per week: everyone's, and an author's.
CREATE INDEX entries_at ON entries(at);
CREATE INDEX entries_author ON entries(author, at);
-- A worker's cases (scope "mine").
CREATE INDEX cases_worker ON cases(worker, stage);
-- 사후관리 due.
CREATE INDEX cases_aftercare ON cases(aftercare_on) WHERE aftercare_on IS NOT NULL;
-- Referrals waiting in 의뢰.
CREATE INDEX referrals_status ON referrals(status, requested_on);
"#;

/// Sync: per update op, the stamps `{column: [hlc, origin]}` of the values it replaced,
/// so a merge can tell sequential edits from concurrent ones. Bundles carry it in the op's
/// fields under `@base`; `fields` itself keeps only columns.
const V4: &str = r#"
ALTER TABLE ops ADD COLUMN base TEXT;
"#;

/// Bulk writes (imports, sync, the demo). An `IN` list of three or more constants makes SQLite
/// build a temporary b-tree every time an INSERT evaluates it — in the `ops.kind` CHECK and in
/// the `entries_contact` WHERE — so both become ORs of equalities (same meaning; the contact
/// query in src/store/cases.rs spells its terms the same way so the index still matches).
/// `resources_category` was never used by a query: the directory is filtered in memory, and
/// `entries_at` is replaced by a loose scan of `entries_author`.
/// Insert ops point at their row (`fields` NULL) and stay out of `ops_row` (see there).
const V5: &str = r#"
CREATE TABLE ops_v5 (
    origin TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    hlc    INTEGER NOT NULL,
    tbl    TEXT NOT NULL,
    row_id TEXT NOT NULL,
    kind   TEXT NOT NULL CHECK (kind = 'insert' OR kind = 'update' OR kind = 'delete'),
    -- JSON object column -> value; NULL for an insert whose row still holds what it inserted
    -- (see materialize_insert in src/store/write.rs).
    fields TEXT,
    base   TEXT,
    PRIMARY KEY (origin, seq)
) WITHOUT ROWID;
INSERT INTO ops_v5 (origin, seq, hlc, tbl, row_id, kind, fields, base)
    SELECT origin, seq, hlc, tbl, row_id, kind, fields, base FROM ops;
DROP TABLE ops;
ALTER TABLE ops_v5 RENAME TO ops;
-- A row's ops, for per-field last-writer-wins. An insert that points at its row (fields NULL)
-- is found from the row instead (its origin is the row's site_id, its seq the row's
-- insert_seq), so bulk inserts add no entry here.
CREATE INDEX ops_row ON ops(tbl, row_id) WHERE tbl <> 'entries' AND fields IS NOT NULL;
ALTER TABLE households ADD COLUMN insert_seq INTEGER;
ALTER TABLE residents ADD COLUMN insert_seq INTEGER;
ALTER TABLE cases ADD COLUMN insert_seq INTEGER;
ALTER TABLE resources ADD COLUMN insert_seq INTEGER;
ALTER TABLE referrals ADD COLUMN insert_seq INTEGER;

DROP INDEX entries_contact;
CREATE INDEX entries_contact ON entries(case_id, at)
    WHERE corrects IS NULL AND (kind = 'initial_consult' OR kind = 'visit' OR kind = 'call'
        OR kind = 'office_visit' OR kind = 'assessment' OR kind = 'monitoring');

DROP INDEX resources_category;
-- Everyone's entries per week are counted over entries_author (see src/store/cases.rs).
DROP INDEX entries_at;
"#;

/// Two sites correcting one entry (issue #12 item 12): a correction's insert op carries, as
/// `base`, the corrections of the same entry its site had (see `Tx::corrections_here`); a merge
/// looks them up by entry id. Only corrections made beside another have a base, so the index
/// stays small.
const V6: &str = r#"
CREATE INDEX ops_entry_base ON ops(row_id) WHERE tbl = 'entries' AND base IS NOT NULL;
"#;

/// Proof of origin for relayed ops (issue #21 item 6). Each site signs its own ops at export in
/// batches of contiguous seqs: Ed25519 by `signer` over (origin, first seq, last seq, the SHA-256
/// of each op's canonical bytes). A relay stores the proof verbatim (`op_proofs`) and links each
/// received op to it (`ops.proof`), so that it can forward the origin's signature untouched.
/// `origin_keys` holds the signing keys of origins known only through a relay's bundle (a
/// direct peer's key is in `sync_peers`).
const V7: &str = r#"
CREATE TABLE op_proofs (
    id        INTEGER PRIMARY KEY,
    origin    TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    -- 32 bytes per seq from first_seq to last_seq
    hashes    BLOB NOT NULL,
    signer    TEXT NOT NULL,
    sig       BLOB NOT NULL UNIQUE
);
ALTER TABLE ops ADD COLUMN proof INTEGER;

CREATE TABLE origin_keys (
    origin        TEXT PRIMARY KEY,
    sign_key      TEXT NOT NULL,
    introduced_by TEXT NOT NULL
) WITHOUT ROWID;
"#;

/// Privacy (issue #20): the bulk-read threshold (`dolbom search`, `timeline --list` … print more
/// residents than this only with `--reason`), and — run by the migration runner right after this
/// SQL, in the same transaction — the one-time scrub of 주민등록번호-shaped text from every row,
/// op and conflict copy (`store::privacy_scrub`; the runner recognises this migration by its text).
pub(super) const V_PRIVACY: &str = r#"
-- privacy: RRN scrub (store::privacy_scrub) and bulk-read threshold
INSERT OR IGNORE INTO meta (key, value) VALUES ('bulk_read_limit', '500');
"#;

/// Issue #20 items 3–4: a keyed audit chain, heads witnessed through sync, retention and purge.
/// - `meta.audit_chain = 'sha256'` marks rows chained before the key; `store::audit::
///   upgrade_chain` (run at open) re-chains them under the key once and records that.
/// - `audit_heads`: per (site, witness) the highest signed head of `site`'s audit chain that
///   `witness` saw (this site for peers' heads read from their bundles; a peer for heads of this
///   site it sent back). `audit_head_warnings`: a peer's head that went back or sideways.
/// - `retention_stats`: what is kept of a purged case (no personal data), for statistics.
/// - `purged`: ids of residents and cases destroyed by a purge (here or at a peer), so that an
///   older op arriving later cannot bring them back.
const V_AUDIT: &str = r#"
INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_chain', 'sha256');

CREATE TABLE IF NOT EXISTS audit_heads (
    site     TEXT NOT NULL,
    witness  TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    chain    TEXT NOT NULL,
    sig      TEXT NOT NULL,
    seen_at  TEXT NOT NULL,
    PRIMARY KEY (site, witness)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audit_head_warnings (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    site            TEXT NOT NULL,
    witnessed_seq   INTEGER NOT NULL,
    witnessed_chain TEXT NOT NULL,
    got_seq         INTEGER NOT NULL,
    got_chain       TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS retention_stats (
    case_id     TEXT PRIMARY KEY,
    category    TEXT NOT NULL,
    dong        TEXT NOT NULL,
    opened_year INTEGER,
    closed_year INTEGER,
    stages      TEXT NOT NULL,
    purged_at   TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS purged (
    tbl       TEXT NOT NULL,
    row_id    TEXT NOT NULL,
    purged_at TEXT NOT NULL,
    PRIMARY KEY (tbl, row_id)
) WITHOUT ROWID;
"#;

/// Teamwork (issue #16): the 팀장 role (`lead`) in `users`, and partial indexes for the team
/// steps on the timeline — 결재 (the 결재 대기 list and a case's approval state), 동의 (a
/// resident's consents, and those expiring soon). Each index covers only its kinds, so other
/// entry inserts do not pay for them; queries spell the WHERE terms exactly as here (see
/// src/store/team.rs).
const V_TEAM: &str = r#"
CREATE TABLE users_team (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role = 'admin' OR role = 'lead' OR role = 'staff'),
    created_at TEXT NOT NULL
);
INSERT INTO users_team (name, role, created_at) SELECT name, role, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_team RENAME TO users;

CREATE INDEX entries_approval ON entries(case_id, kind)
    WHERE kind = 'approval_request' OR kind = 'approval_approve' OR kind = 'approval_return';
CREATE INDEX entries_approval_request ON entries(at) WHERE kind = 'approval_request';
CREATE INDEX entries_consent ON entries(case_id)
    WHERE kind = 'consent' OR kind = 'consent_withdrawal';
CREATE INDEX entries_consent_expiry ON entries(json_extract(data, '$.expires'))
    WHERE kind = 'consent';
CREATE INDEX entries_handover ON entries(case_id, at) WHERE kind = 'handover';

-- The 결재 대기 list without reading the history of every request ever made: a local table of
-- the requests that have no decision, kept by triggers on `entries` (so entries that arrive by
-- sync keep it too, in any order: a request whose decision is already here is not added).
-- Derived data, not synced; `entries` stays the record.
CREATE TABLE approval_pending (
    request_id TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL,
    at         TEXT NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER approval_pending_request AFTER INSERT ON entries
WHEN NEW.kind = 'approval_request' AND NEW.deleted = 0
BEGIN
    INSERT OR IGNORE INTO approval_pending (request_id, case_id, at)
    SELECT NEW.id, NEW.case_id, NEW.at
    WHERE NOT EXISTS (SELECT 1 FROM entries e
                      WHERE e.case_id = NEW.case_id
                        AND (e.kind = 'approval_request' OR e.kind = 'approval_approve' OR e.kind = 'approval_return')
                        AND e.kind <> 'approval_request'
                        AND json_extract(e.data, '$.request') = NEW.id);
END;
CREATE TRIGGER approval_pending_decision AFTER INSERT ON entries
WHEN NEW.kind = 'approval_approve' OR NEW.kind = 'approval_return'
BEGIN
    DELETE FROM approval_pending WHERE request_id = json_extract(NEW.data, '$.request');
END;
INSERT OR IGNORE INTO approval_pending (request_id, case_id, at)
    SELECT q.id, q.case_id, q.at FROM entries q
    WHERE q.kind = 'approval_request' AND q.deleted = 0
      AND NOT EXISTS (SELECT 1 FROM entries e
                      WHERE e.case_id = q.case_id
                        AND (e.kind = 'approval_request' OR e.kind = 'approval_approve' OR e.kind = 'approval_return')
                        AND e.kind <> 'approval_request'
                        AND json_extract(e.data, '$.request') = q.id);
"#;

/// Speed at scale (issue #18). Written to be safe whatever migrations the merge puts before it.
///
/// 오늘 for everyone: covering indexes, so each open case costs index seeks only —
/// `entries_contact` gains the entry id (the voided check needs it) and the columns its own
/// WHERE names (the planner counts them as used), so no entry row is read per case;
/// `entries_follow_up` (entries with a due date: everything the follow-up list reads, down to
/// the body's first line, so no entry row is read — with 15k follow-ups due for everyone at
/// 100k residents, reading rows was most of the cost),
/// `entries_stage_to` (stage-change days with the stage entered, replacing
/// `entries_stage_change`), `cases_live` (live cases by stage, counted and listed without the
/// table) and `residents_id_name` (the name shown on each row).
///
/// The persisted search index: `search_index` holds one encoded blob (format, the change count
/// it was built at, a checksum); `search_state.changes` counts every change to what the index
/// holds, bumped by triggers in the writing transaction, so a reader knows a stale blob from a
/// current one whichever path (form, import, sync, demo) made the change.
const V_INDEX: &str = r#"
CREATE INDEX IF NOT EXISTS entries_follow_up ON entries(case_id, at, due_on, voids, deleted,
    kind, id, corrects, hlc, substr(body, 1, instr(body || char(10), char(10))))
    WHERE due_on IS NOT NULL;
DROP INDEX IF EXISTS entries_stage_change;
CREATE INDEX IF NOT EXISTS entries_stage_to
    ON entries(case_id, voids, at, kind, json_extract(data, '$.to')) WHERE kind = 'stage_change';
CREATE INDEX IF NOT EXISTS cases_live
    ON cases(stage, worker, resident_id, id, opened_on, aftercare_on) WHERE deleted = 0;
DROP INDEX IF EXISTS entries_contact;
CREATE INDEX entries_contact ON entries(case_id, at, id, kind, corrects)
    WHERE corrects IS NULL AND (kind = 'initial_consult' OR kind = 'visit' OR kind = 'call'
        OR kind = 'office_visit' OR kind = 'assessment' OR kind = 'monitoring');
CREATE INDEX IF NOT EXISTS residents_id_name ON residents(id, name);

CREATE TABLE IF NOT EXISTS search_index (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    format   INTEGER NOT NULL,
    changes  INTEGER NOT NULL,
    checksum INTEGER NOT NULL,
    data     BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS search_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    changes INTEGER NOT NULL
);
INSERT OR IGNORE INTO search_state (id, changes) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS search_residents_insert AFTER INSERT ON residents
    BEGIN UPDATE search_state SET changes = changes + 1; END;
CREATE TRIGGER IF NOT EXISTS search_residents_delete AFTER DELETE ON residents
    BEGIN UPDATE search_state SET changes = changes + 1; END;
CREATE TRIGGER IF NOT EXISTS search_residents_update
    AFTER UPDATE OF name, birth_date, phone, dong, risks, flags, deleted ON residents
    BEGIN UPDATE search_state SET changes = changes + 1; END;
CREATE TRIGGER IF NOT EXISTS search_cases_insert AFTER INSERT ON cases
    BEGIN UPDATE search_state SET changes = changes + 1; END;
CREATE TRIGGER IF NOT EXISTS search_cases_delete AFTER DELETE ON cases
    BEGIN UPDATE search_state SET changes = changes + 1; END;
CREATE TRIGGER IF NOT EXISTS search_cases_update
    AFTER UPDATE OF resident_id, stage, worker, category, last_activity, deleted ON cases
    BEGIN UPDATE search_state SET changes = changes + 1; END;
"#;

/// The 복지사각지대 발굴 queue (issue #16 item 5): one synced row per person on a round's list.
/// The id is derived from (round, row_key), so the primary key is the unique key per round and
/// row identity: two sites importing the same round make the same rows, a re-import adds nothing. `resident_id` is
/// the matched resident (no foreign key: a bundle may carry the row before the resident);
/// `outcome` is one of the five answers, NULL while unchecked. `discovery_queue` gives the
/// queue's order (a page is read without sorting); `discovery_rounds` holds each round's counts.
const V_DISCOVERY: &str = r#"
CREATE TABLE IF NOT EXISTS discovery (
    id          TEXT PRIMARY KEY,
    site_id     TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    insert_seq  INTEGER,
    round       TEXT NOT NULL,
    row_key     TEXT NOT NULL,
    line        INTEGER NOT NULL DEFAULT 0,
    name        TEXT NOT NULL,
    birth_date  TEXT,
    phone       TEXT,
    address     TEXT NOT NULL DEFAULT '',
    dong        TEXT NOT NULL DEFAULT '',
    signals     TEXT NOT NULL DEFAULT '',
    deadline    TEXT NOT NULL,
    resident_id TEXT,
    outcome     TEXT CHECK (outcome IS NULL OR outcome IN ('지원 연계', '비해당', '조사 불가', '거부', '이미 관리 중')),
    note        TEXT NOT NULL DEFAULT '',
    checked_on  TEXT,
    checked_by  TEXT
);
CREATE INDEX IF NOT EXISTS discovery_queue ON discovery(deleted, dong, address);
CREATE INDEX IF NOT EXISTS discovery_progress
    ON discovery(round, outcome, deadline) WHERE deleted = 0;

-- Per-round counts of live rows, kept by triggers on every path (import, mark, sync merge), so
-- a round's progress is one row read. `min_deadline`/`max_deadline` only widen (a row deleted
-- or moved leaves them as they were), so "all overdue" / "none overdue" taken from them is
-- exact, and anything in between is counted on `discovery_progress`.
CREATE TABLE IF NOT EXISTS discovery_rounds (
    round        TEXT PRIMARY KEY,
    total        INTEGER NOT NULL DEFAULT 0,
    checked      INTEGER NOT NULL DEFAULT 0,
    matched      INTEGER NOT NULL DEFAULT 0,
    min_deadline TEXT NOT NULL,
    max_deadline TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS discovery_rounds_insert AFTER INSERT ON discovery
WHEN NEW.deleted = 0
BEGIN
    INSERT INTO discovery_rounds (round, total, checked, matched, min_deadline, max_deadline)
    VALUES (NEW.round, 1, NEW.outcome IS NOT NULL, NEW.resident_id IS NOT NULL,
            NEW.deadline, NEW.deadline)
    ON CONFLICT(round) DO UPDATE SET
        total = total + 1,
        checked = checked + excluded.checked,
        matched = matched + excluded.matched,
        min_deadline = min(min_deadline, excluded.min_deadline),
        max_deadline = max(max_deadline, excluded.max_deadline);
END;
CREATE TRIGGER IF NOT EXISTS discovery_rounds_update
AFTER UPDATE OF deleted, outcome, resident_id, deadline, round ON discovery
BEGIN
    UPDATE discovery_rounds SET
        total = total - 1,
        checked = checked - (OLD.outcome IS NOT NULL),
        matched = matched - (OLD.resident_id IS NOT NULL)
    WHERE round = OLD.round AND OLD.deleted = 0;
    INSERT INTO discovery_rounds (round, total, checked, matched, min_deadline, max_deadline)
    SELECT NEW.round, 1, NEW.outcome IS NOT NULL, NEW.resident_id IS NOT NULL,
           NEW.deadline, NEW.deadline
    WHERE NEW.deleted = 0
    ON CONFLICT(round) DO UPDATE SET
        total = total + 1,
        checked = checked + excluded.checked,
        matched = matched + excluded.matched,
        min_deadline = min(min_deadline, excluded.min_deadline),
        max_deadline = max(max_deadline, excluded.max_deadline);
END;
"#;

/// 방문 계획 (issue #16 item 6). A planned visit of a case is a `visit_plan` entry (planned day
/// in `data.on`); `entries_visit_plan` finds a week's plans (originals and corrections alike:
/// a reschedule is a correction carrying the new day) without reading other entries, and
/// `entries_visit_done` the 방문 entries that record a plan as done (`data.plan_id`). A 발굴
/// candidate without a case carries its plan on its row (`visit_on`, `visit_time`,
/// `visit_purpose`, `visit_by`; synced per field like the row's other columns), indexed by day.
const V_VISITS: &str = r#"
CREATE INDEX IF NOT EXISTS entries_visit_plan
    ON entries(json_extract(data, '$.on'), case_id, id, corrects) WHERE kind = 'visit_plan';
CREATE INDEX IF NOT EXISTS entries_visit_done
    ON entries(json_extract(data, '$.plan_id')) WHERE kind = 'visit';
ALTER TABLE discovery ADD COLUMN visit_on TEXT;
ALTER TABLE discovery ADD COLUMN visit_time TEXT NOT NULL DEFAULT '';
ALTER TABLE discovery ADD COLUMN visit_purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE discovery ADD COLUMN visit_by TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS discovery_visit ON discovery(visit_on) WHERE visit_on IS NOT NULL;
"#;

/// A 발굴 import of a whole round (150,000 rows) counts its rows into `discovery_rounds` once per
/// round (`Tx::discovery_bulk_insert`) instead of by the insert trigger once per row: while the
/// import's transaction holds the one row of `discovery_bulk`, the trigger stands aside. Local,
/// never synced, and empty outside that transaction; every other insert path (a sync merge)
/// still counts through the trigger.
const V_DISCOVERY_BULK: &str = r#"
CREATE TABLE IF NOT EXISTS discovery_bulk (one INTEGER PRIMARY KEY CHECK (one = 1));
DROP TRIGGER IF EXISTS discovery_rounds_insert;
CREATE TRIGGER discovery_rounds_insert AFTER INSERT ON discovery
WHEN NEW.deleted = 0 AND NOT EXISTS (SELECT 1 FROM discovery_bulk)
BEGIN
    INSERT INTO discovery_rounds (round, total, checked, matched, min_deadline, max_deadline)
    VALUES (NEW.round, 1, NEW.outcome IS NOT NULL, NEW.resident_id IS NOT NULL,
            NEW.deadline, NEW.deadline)
    ON CONFLICT(round) DO UPDATE SET
        total = total + 1,
        checked = checked + excluded.checked,
        matched = matched + excluded.matched,
        min_deadline = min(min_deadline, excluded.min_deadline),
        max_deadline = max(max_deadline, excluded.max_deadline);
END;
"#;

/// The 오늘 pane for everyone at scale (issue #18 item 3): the facts its lists and charts read,
/// kept current by triggers in the transaction of every write (form, import, sync merge, demo,
/// correction, void, handover, retention purge), so a load reads them in index order instead of
/// working them out per case from `entries`. Derived and local (not synced); `entries` and
/// `cases` stay the record, and every fact is what `store::today` computed from them before.
///
/// - `case_today`: one row per live case (its stage, worker, dates, the resident's name — NULL
///   while the resident is not here — its latest contact: the latest original contact entry that
///   no void corrects — and its stage changes, `day=stage,…`), keyed by stage and worker so each
///   list is one range of the table.
/// - `follow_up_today`: the open follow-ups of open cases: the current version of each entry
///   with a due date, not voided, written at or after its case's latest contact; keyed by due
///   date (the list's order), and by worker for "mine".
/// - `case_stage_counts` (per stage and worker) and `entry_days` (entries per day and author)
///   feed the charts.
///
/// Inserting a case id into `today_refresh` recomputes that case's rows from `cases`,
/// `residents` and `entries`; triggers do that for anything rare (a correction or void, a case
/// or resident change, a purge), while the common entry inserts (a contact, a follow-up date, a
/// stage change) take a short path. The contact kinds are spelled as `EntryKind::is_contact`
/// says (a test checks it).
pub(super) const V_TODAY: &str = r#"
CREATE TABLE IF NOT EXISTS case_today (
    stage         TEXT NOT NULL,
    worker        TEXT NOT NULL,
    case_id       TEXT NOT NULL,
    resident_id   TEXT NOT NULL,
    name          TEXT,
    opened_on     TEXT NOT NULL,
    aftercare_on  TEXT,
    last_contact  TEXT,
    stage_changes TEXT,
    PRIMARY KEY (stage, worker, case_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS case_today_case ON case_today(case_id);

CREATE TABLE IF NOT EXISTS follow_up_today (
    due_on       TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    at           TEXT NOT NULL,
    entry_id     TEXT NOT NULL,
    worker       TEXT NOT NULL,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    line         TEXT NOT NULL,
    last_contact TEXT,
    PRIMARY KEY (due_on, case_id, at, entry_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS follow_up_today_case ON follow_up_today(case_id);
CREATE INDEX IF NOT EXISTS follow_up_today_worker
    ON follow_up_today(worker, due_on, case_id, at, entry_id);

CREATE TABLE IF NOT EXISTS case_stage_counts (
    stage  TEXT NOT NULL,
    worker TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (stage, worker)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS case_today_count_insert AFTER INSERT ON case_today
BEGIN
    INSERT INTO case_stage_counts (stage, worker, n) VALUES (NEW.stage, NEW.worker, 1)
    ON CONFLICT(stage, worker) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS case_today_count_delete AFTER DELETE ON case_today
BEGIN
    UPDATE case_stage_counts SET n = n - 1 WHERE stage = OLD.stage AND worker = OLD.worker;
END;

CREATE TABLE IF NOT EXISTS entry_days (
    day    TEXT NOT NULL,
    author TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (day, author)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entry_days_author ON entry_days(author, day, n);
CREATE TRIGGER IF NOT EXISTS entry_days_insert AFTER INSERT ON entries
BEGIN
    INSERT INTO entry_days (day, author, n) VALUES (substr(NEW.at, 1, 10), NEW.author, 1)
    ON CONFLICT(day, author) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS entry_days_delete AFTER DELETE ON entries
BEGIN
    UPDATE entry_days SET n = n - 1 WHERE day = substr(OLD.at, 1, 10) AND author = OLD.author;
END;

CREATE TABLE IF NOT EXISTS today_refresh (case_id TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS today_refresh_case AFTER INSERT ON today_refresh
BEGIN
    DELETE FROM case_today WHERE case_id = NEW.case_id;
    DELETE FROM follow_up_today WHERE case_id = NEW.case_id;
    INSERT INTO case_today (stage, worker, case_id, resident_id, name, opened_on, aftercare_on,
                            last_contact, stage_changes)
    SELECT c.stage, c.worker, c.id, c.resident_id,
           (SELECT r.name FROM residents r WHERE r.id = c.resident_id),
           c.opened_on, c.aftercare_on,
           (SELECT x.at FROM entries x
            WHERE x.case_id = c.id AND x.corrects IS NULL
              AND (x.kind = 'initial_consult' OR x.kind = 'visit' OR x.kind = 'call'
                   OR x.kind = 'office_visit' OR x.kind = 'assessment' OR x.kind = 'monitoring')
              AND NOT EXISTS (SELECT 1 FROM entries v WHERE v.corrects = x.id AND v.voids = 1)
            ORDER BY x.at DESC LIMIT 1),
           (SELECT group_concat(s.d, ',') FROM
               (SELECT substr(x.at, 1, 10) || '=' || coalesce(json_extract(x.data, '$.to'), '') AS d
                FROM entries x
                WHERE x.case_id = c.id AND x.kind = 'stage_change' AND x.voids = 0
                ORDER BY x.at, json_extract(x.data, '$.to')) s)
    FROM cases c WHERE c.id = NEW.case_id AND c.deleted = 0;
    INSERT INTO follow_up_today (due_on, case_id, at, entry_id, worker, name, kind, line, last_contact)
    SELECT e.due_on, t.case_id, e.at, e.id, t.worker, t.name, e.kind,
           substr(e.body, 1, instr(e.body || char(10), char(10))), t.last_contact
    FROM case_today t JOIN entries e ON e.case_id = t.case_id
    WHERE t.case_id = NEW.case_id AND t.stage NOT IN ('closed', 'aftercare') AND t.name IS NOT NULL
      AND e.at >= coalesce(t.last_contact, '')
      AND e.due_on IS NOT NULL AND e.voids = 0 AND e.deleted = 0
      AND NOT EXISTS (SELECT 1 FROM entries k
                      WHERE k.corrects = coalesce(e.corrects, e.id) AND k.id <> e.id AND k.hlc > e.hlc);
    DELETE FROM today_refresh;
END;

CREATE TRIGGER IF NOT EXISTS today_case_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO today_refresh (case_id) VALUES (NEW.id);
END;
CREATE TRIGGER IF NOT EXISTS today_case_update
AFTER UPDATE OF id, resident_id, worker, stage, opened_on, aftercare_on, deleted ON cases
BEGIN
    INSERT INTO today_refresh (case_id) SELECT OLD.id WHERE OLD.id <> NEW.id;
    INSERT INTO today_refresh (case_id) VALUES (NEW.id);
END;
CREATE TRIGGER IF NOT EXISTS today_case_delete AFTER DELETE ON cases
BEGIN
    DELETE FROM case_today WHERE case_id = OLD.id;
    DELETE FROM follow_up_today WHERE case_id = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS today_resident_insert AFTER INSERT ON residents
BEGIN
    INSERT INTO today_refresh (case_id) SELECT id FROM cases WHERE resident_id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS today_resident_update AFTER UPDATE OF id, name ON residents
BEGIN
    INSERT INTO today_refresh (case_id) SELECT id FROM cases WHERE resident_id = OLD.id;
    INSERT INTO today_refresh (case_id) SELECT id FROM cases WHERE resident_id = NEW.id AND OLD.id <> NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS today_resident_delete AFTER DELETE ON residents
BEGIN
    INSERT INTO today_refresh (case_id) SELECT id FROM cases WHERE resident_id = OLD.id;
END;

-- A correction (an edit or a void) can change any fact of its case: recompute it (and the
-- corrected entry's case, should that differ).
CREATE TRIGGER IF NOT EXISTS today_entry_correction AFTER INSERT ON entries
WHEN NEW.corrects IS NOT NULL
BEGIN
    INSERT INTO today_refresh (case_id) VALUES (NEW.case_id);
    INSERT INTO today_refresh (case_id)
        SELECT o.case_id FROM entries o WHERE o.id = NEW.corrects AND o.case_id <> NEW.case_id;
END;
-- An original contact, follow-up date or stage change: the short path, unless a correction of
-- it is here already (it came first by sync), which recomputes the case.
CREATE TRIGGER IF NOT EXISTS today_entry_original AFTER INSERT ON entries
WHEN NEW.corrects IS NULL AND (NEW.due_on IS NOT NULL OR NEW.kind = 'stage_change'
    OR NEW.kind = 'initial_consult' OR NEW.kind = 'visit' OR NEW.kind = 'call'
    OR NEW.kind = 'office_visit' OR NEW.kind = 'assessment' OR NEW.kind = 'monitoring')
BEGIN
    INSERT INTO today_refresh (case_id)
        SELECT NEW.case_id WHERE EXISTS (SELECT 1 FROM entries k WHERE k.corrects = NEW.id);
    UPDATE case_today SET last_contact = NEW.at
    WHERE case_id = NEW.case_id AND (last_contact IS NULL OR last_contact < NEW.at)
      AND NEW.kind IN ('initial_consult', 'visit', 'call', 'office_visit', 'assessment', 'monitoring')
      AND NOT EXISTS (SELECT 1 FROM entries k WHERE k.corrects = NEW.id);
    DELETE FROM follow_up_today
    WHERE case_id = NEW.case_id AND at < NEW.at
      AND NEW.kind IN ('initial_consult', 'visit', 'call', 'office_visit', 'assessment', 'monitoring')
      AND NOT EXISTS (SELECT 1 FROM entries k WHERE k.corrects = NEW.id);
    UPDATE follow_up_today SET last_contact = NEW.at
    WHERE case_id = NEW.case_id AND (last_contact IS NULL OR last_contact < NEW.at)
      AND NEW.kind IN ('initial_consult', 'visit', 'call', 'office_visit', 'assessment', 'monitoring')
      AND NOT EXISTS (SELECT 1 FROM entries k WHERE k.corrects = NEW.id);
    UPDATE case_today SET stage_changes =
           (SELECT group_concat(s.d, ',') FROM
               (SELECT substr(x.at, 1, 10) || '=' || coalesce(json_extract(x.data, '$.to'), '') AS d
                FROM entries x
                WHERE x.case_id = NEW.case_id AND x.kind = 'stage_change' AND x.voids = 0
                ORDER BY x.at, json_extract(x.data, '$.to')) s)
    WHERE case_id = NEW.case_id AND NEW.kind = 'stage_change' AND NEW.voids = 0
      AND NOT EXISTS (SELECT 1 FROM entries k WHERE k.corrects = NEW.id);
    INSERT INTO follow_up_today (due_on, case_id, at, entry_id, worker, name, kind, line, last_contact)
    SELECT NEW.due_on, t.case_id, NEW.at, NEW.id, t.worker, t.name, NEW.kind,
           substr(NEW.body, 1, instr(NEW.body || char(10), char(10))), t.last_contact
    FROM case_today t
    WHERE t.case_id = NEW.case_id AND t.stage NOT IN ('closed', 'aftercare') AND t.name IS NOT NULL
      AND NEW.due_on IS NOT NULL AND NEW.voids = 0 AND NEW.deleted = 0
      AND NEW.at >= coalesce(t.last_contact, '')
      AND NOT EXISTS (SELECT 1 FROM entries k WHERE k.corrects = NEW.id);
END;
-- Entries change only by a retention purge (which deletes them): recompute the case.
CREATE TRIGGER IF NOT EXISTS today_entry_delete AFTER DELETE ON entries
BEGIN
    INSERT INTO today_refresh (case_id) VALUES (OLD.case_id);
END;
CREATE TRIGGER IF NOT EXISTS today_entry_update AFTER UPDATE ON entries
BEGIN
    INSERT INTO today_refresh (case_id) VALUES (OLD.case_id);
    INSERT INTO today_refresh (case_id) SELECT NEW.case_id WHERE NEW.case_id <> OLD.case_id;
END;

DELETE FROM case_today;
DELETE FROM follow_up_today;
DELETE FROM case_stage_counts;
DELETE FROM entry_days;
INSERT INTO entry_days (day, author, n)
    SELECT substr(at, 1, 10), author, count(*) FROM entries GROUP BY 1, 2;
INSERT INTO today_refresh (case_id) SELECT id FROM cases;
"#;

/// 오늘 at a million residents (#18): the pane shows the first items of each list and counts
/// the rest. The follow-ups are counted per due day and worker (`follow_up_counts`, kept by
/// triggers on `follow_up_today`, as `case_stage_counts` is on `case_today`), so a count is a
/// sum over days, not a walk over 150k rows. Waiting referrals are read index-only: their
/// partial index holds what the list shows of a referral, and `case_today_case_name` a live
/// case's worker and resident's name (one seek per referral, in an index a fifth the size of
/// `cases` and `residents` together); closed cases are indexed by their 사후관리 day
/// (`case_today_aftercare`). V_TODAY's tables and triggers are kept as they are.
pub(super) const V_TODAY_1M: &str = r#"
CREATE TABLE IF NOT EXISTS follow_up_counts (
    due_on TEXT NOT NULL,
    worker TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (due_on, worker)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS follow_up_counts_worker ON follow_up_counts(worker, due_on, n);
CREATE TRIGGER IF NOT EXISTS follow_up_count_insert AFTER INSERT ON follow_up_today
BEGIN
    INSERT INTO follow_up_counts (due_on, worker, n) VALUES (NEW.due_on, NEW.worker, 1)
    ON CONFLICT(due_on, worker) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS follow_up_count_delete AFTER DELETE ON follow_up_today
BEGIN
    UPDATE follow_up_counts SET n = n - 1 WHERE due_on = OLD.due_on AND worker = OLD.worker;
END;
CREATE TRIGGER IF NOT EXISTS follow_up_count_update AFTER UPDATE OF due_on, worker ON follow_up_today
BEGIN
    UPDATE follow_up_counts SET n = n - 1 WHERE due_on = OLD.due_on AND worker = OLD.worker;
    INSERT INTO follow_up_counts (due_on, worker, n) VALUES (NEW.due_on, NEW.worker, 1)
    ON CONFLICT(due_on, worker) DO UPDATE SET n = n + 1;
END;
DELETE FROM follow_up_counts;
INSERT INTO follow_up_counts (due_on, worker, n)
    SELECT due_on, worker, count(*) FROM follow_up_today GROUP BY 1, 2;

CREATE INDEX IF NOT EXISTS referrals_waiting
    ON referrals(status, requested_on, case_id, id, resource_id) WHERE deleted = 0;
CREATE INDEX IF NOT EXISTS case_today_case_name ON case_today(case_id, worker, name);
-- Closed cases by their 사후관리 day: everyone's 사후관리 list reads the cases whose day has come,
-- not every closed case.
CREATE INDEX IF NOT EXISTS case_today_aftercare ON case_today(aftercare_on)
    WHERE aftercare_on IS NOT NULL AND stage IN ('closed', 'aftercare');
"#;

//! The read record of a headless listing (issue #20 item 2; see `store::reads`): one call
//! before a command prints or saves residents.

use crate::store::Store;
use crate::store::reads::Read;
use std::process::ExitCode;

/// `--reason` of a listing command.
pub const REASON_HELP: &str = "대량 조회 사유 (reason for a bulk read; recorded in the audit log)";

/// Records the read, or refuses it: more residents than the bulk-read limit without a reason
/// prints a Korean message, records the refusal and returns exit code 2. `Ok(None)`: go on.
/// A record that cannot be written stops the command (an unrecorded read is not served).
pub fn gate(
    store: &Store,
    view: &str,
    query: &str,
    residents: usize,
    reason: Option<&str>,
) -> anyhow::Result<Option<ExitCode>> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let read = Read {
        view,
        query,
        residents,
        reason,
    };
    if reason.is_none() && store.is_bulk_read(residents)? {
        store.record_refused_read(&read)?;
        let limit = store.bulk_read_limit()?;
        eprintln!(
            "dolbom: 주민 {residents}명을 한 번에 보이려면 사유가 필요합니다 (기준 {limit}명 초과). \
             --reason \"사유\"를 붙여 다시 실행하세요; 이 시도는 감사 로그에 기록되었습니다 \
             (bulk read of {residents} residents refused without --reason; limit {limit})"
        );
        return Ok(Some(ExitCode::from(2)));
    }
    store.record_read(&read)?;
    Ok(None)
}

//! `dolbom timeline handover|approval|consent …` (issue #16): 인계, 결재 and 동의 from the
//! command line, the same calls the TUI makes.

use super::{Global, output};
use crate::model::team::approval_label;
use crate::model::{ConsentScope, Scope};
use crate::timeline::{approval, consent, handover};
use chrono::NaiveDate;
use std::process::ExitCode;

/// The team subcommands of `dolbom timeline`.
#[derive(clap::Subcommand, Debug)]
pub enum TeamCommand {
    /// 인계: 사례를 다른 작업자에게 넘김 (hand cases over: --from WORKER for all they hold,
    /// or --case ID …)
    #[command(group(clap::ArgGroup::new("which").required(true).args(["from", "case"])))]
    Handover {
        /// 이 작업자의 사례 전부 (every case this worker holds)
        #[arg(long)]
        from: Option<String>,
        /// 이 사례 (repeatable)
        #[arg(long = "case", value_name = "CASE_ID")]
        case: Vec<String>,
        /// 인계받는 작업자 (the new worker)
        #[arg(long)]
        to: String,
        /// 인계 메모 (handover note: 진행 상황, 다음 할 일)
        #[arg(long)]
        note: String,
    },
    /// 이관: 사례를 협력 기관으로 (transfer a case to a partner site; the next bundle carries it,
    /// and this copy becomes read-only)
    Transfer {
        case_id: String,
        /// 받는 기관: 기관 ID 또는 이름 (dolbom sync peers)
        #[arg(long)]
        to: String,
        /// 이관 사유·인계 내용
        #[arg(long)]
        note: String,
    },
    /// 결재: 요청, 승인, 반려, 대기 목록, 설정 (approvals)
    Approval {
        #[command(subcommand)]
        action: ApprovalCommand,
    },
    /// 동의: 기록, 철회, 목록 (consent)
    Consent {
        #[command(subcommand)]
        action: ConsentCommand,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum ApprovalCommand {
    /// 결재 요청 (ask for approval of a step)
    Request {
        case_id: String,
        /// 단계: assessment(욕구사정), planning(서비스 계획), closed(종결)
        #[arg(long, value_parser = step)]
        step: crate::model::Stage,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 결재 승인 (approve a request; 팀장·관리자)
    Approve {
        request_id: String,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// 결재 반려 (return a request with a comment; 팀장·관리자)
    Return {
        request_id: String,
        #[arg(long)]
        comment: String,
    },
    /// 결재 대기 목록 (requests waiting for a decision)
    List {
        /// 내 사례·내 요청만 (only mine)
        #[arg(long)]
        mine: bool,
    },
    /// 결재가 필요한 단계 보기·바꾸기: "욕구사정,계획,종결" 또는 off (팀장·관리자)
    Settings { steps: Option<String> },
}

#[derive(clap::Subcommand, Debug)]
pub enum ConsentCommand {
    /// 동의 기록 (record a consent)
    Add {
        case_id: String,
        /// 범위 (repeatable): 수집·이용(collect), 제3자 제공(third_party), 민감정보(sensitive)
        #[arg(long = "scope", required = true, value_parser = scope)]
        scopes: Vec<ConsentScope>,
        /// 동의일 YYYY-MM-DD (default: today)
        #[arg(long, value_parser = day)]
        on: Option<NaiveDate>,
        /// 만료일 YYYY-MM-DD (default: until withdrawn)
        #[arg(long, value_parser = day)]
        expires: Option<NaiveDate>,
        /// 동의서 보관 위치 (where the signed paper is filed)
        #[arg(long, default_value = "")]
        paper: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 동의 철회 (withdraw a consent)
    Withdraw {
        consent_id: String,
        #[arg(long)]
        reason: String,
    },
    /// 이 사례 주민의 동의 목록 (a case's resident's consents)
    List { case_id: String },
}

fn step(s: &str) -> Result<crate::model::Stage, String> {
    approval::parse_step(s).ok_or_else(|| {
        "결재 단계: assessment(욕구사정), planning(서비스 계획), closed(종결)".to_string()
    })
}

fn scope(s: &str) -> Result<ConsentScope, String> {
    ConsentScope::parse(s).ok_or_else(|| {
        "동의 범위: collect(수집·이용), third_party(제3자 제공), sensitive(민감정보)".to_string()
    })
}

fn day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s}: 날짜는 YYYY-MM-DD로 적으세요"))
}

pub fn run(g: &Global, cmd: &TeamCommand) -> anyhow::Result<ExitCode> {
    let mut store = g.open_store()?;
    match cmd {
        TeamCommand::Handover {
            from,
            case,
            to,
            note,
        } => {
            let report = match from {
                Some(from) => handover::hand_over_all(&mut store, from, to, note)?,
                None => handover::hand_over(&mut store, case, to, note)?,
            };
            output::line(&format!(
                "인계 {}건 → {to}{} (batch {})",
                report.moved,
                if report.unchanged > 0 {
                    format!(", 이미 {to} 담당 {}건", report.unchanged)
                } else {
                    String::new()
                },
                report.batch
            ))?;
        }
        TeamCommand::Transfer { case_id, to, note } => {
            let e = crate::timeline::transfer::transfer(&mut store, case_id, to, note)?;
            output::line(&format!(
                "{}	{} — 다음 동기화 묶음으로 보내세요 (이 사본은 읽기 전용)",
                e.id, e.body
            ))?;
        }
        TeamCommand::Approval { action } => match action {
            ApprovalCommand::Request {
                case_id,
                step,
                note,
            } => {
                let e = approval::request(&mut store, case_id, *step, note)?;
                output::line(&format!("{}\t{}", e.id, e.body))?;
            }
            ApprovalCommand::Approve {
                request_id,
                comment,
            } => {
                let e = approval::approve(&mut store, request_id, comment)?;
                output::line(&format!("{}\t{}", e.id, e.body))?;
            }
            ApprovalCommand::Return {
                request_id,
                comment,
            } => {
                let e = approval::send_back(&mut store, request_id, comment)?;
                output::line(&format!("{}\t{}", e.id, e.body))?;
            }
            ApprovalCommand::List { mine } => {
                let scope = if *mine { Scope::Mine } else { Scope::All };
                let rows = store.pending_approvals(scope)?;
                output::lines(rows.iter().map(|p| {
                    format!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        p.request_id,
                        approval_label(p.stage),
                        p.case.case_id,
                        p.case.worker,
                        p.requested_by,
                        p.requested_at
                    )
                }))?;
                output::line(&format!("결재 대기 {}건", rows.len()))?;
            }
            ApprovalCommand::Settings { steps } => {
                if let Some(steps) = steps {
                    let stages = approval::parse_setting(Some(steps));
                    let off = matches!(steps.trim(), "off" | "none" | "끔" | "");
                    if stages.is_empty() && !off {
                        eprintln!(
                            "error: 결재 단계를 알 수 없습니다: {steps} (욕구사정, 계획, 종결 또는 off)"
                        );
                        return Ok(ExitCode::from(2));
                    }
                    approval::set_required_stages(&store, &stages)?;
                }
                let now = approval::required_stages(&store)?;
                output::line(&if now.is_empty() {
                    "결재: 사용 안 함 (off)".to_string()
                } else {
                    format!(
                        "결재 단계: {}",
                        now.iter()
                            .map(|s| approval_label(*s))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
            }
        },
        TeamCommand::Consent { action } => match action {
            ConsentCommand::Add {
                case_id,
                scopes,
                on,
                expires,
                paper,
                note,
            } => {
                let on = on.unwrap_or_else(|| store.clock().today());
                let e = consent::record(
                    &mut store,
                    case_id,
                    &consent::NewConsent {
                        scopes: scopes.clone(),
                        on,
                        expires: *expires,
                        paper: paper.clone(),
                        note: note.clone(),
                    },
                )?;
                output::line(&format!("{}\t{}", e.id, e.body))?;
            }
            ConsentCommand::Withdraw { consent_id, reason } => {
                let e = consent::withdraw(&mut store, consent_id, reason)?;
                output::line(&format!("{}\t{}", e.id, e.body))?;
            }
            ConsentCommand::List { case_id } => {
                let today = store.clock().today().format("%Y-%m-%d").to_string();
                let all = consent::of_case(&store, case_id)?;
                output::lines(all.iter().map(|c| {
                    format!(
                        "{}\t{}\t{}\t{} ~ {}\t{}",
                        c.id,
                        c.status(&today),
                        c.scope_labels(),
                        c.on,
                        c.expires.as_deref().unwrap_or("철회 시까지"),
                        c.paper
                    )
                }))?;
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

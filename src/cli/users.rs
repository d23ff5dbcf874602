//! `dolbom users`: list operators, add one with a role (or change its role), remove one.
//! Adding, changing and removing are admin only ([`crate::store::Store::require_admin`]).

use super::{Global, output};
use crate::store::{Role, canonical_operator};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// 작업자 추가 (add an operator; admin only)
    Add {
        /// 작업자 이름 (operator name)
        name: String,
        /// 권한 (role): staff 일반, lead 팀장, admin 관리자
        #[arg(long, value_enum, default_value_t = RoleArg::Staff)]
        role: RoleArg,
        /// 암호화된 데이터베이스: 새 작업자의 첫 암호 파일 (first passphrase of the new key slot; else asked, or generated and shown once)
        #[arg(long, value_name = "PATH")]
        new_key_file: Option<std::path::PathBuf>,
    },
    /// 작업자 삭제 (remove an operator; admin only; the last admin stays)
    Remove {
        /// 작업자 이름 (operator name)
        name: String,
    },
    /// 작업자 목록 (list operators)
    List,
    /// 암호 바꾸기: 자기 암호, 또는 관리자가 다른 작업자의 암호 (change a key-slot passphrase)
    Passwd {
        /// 작업자 이름 (default: yourself)
        name: Option<String>,
        /// 새 암호 파일 (new passphrase; else asked, or generated and shown once)
        #[arg(long, value_name = "PATH")]
        new_key_file: Option<std::path::PathBuf>,
    },
    /// 작업자의 키 슬롯 삭제: 더 이상 열 수 없음 (remove an operator's key slot; admin only)
    Disable {
        /// 작업자 이름 (operator name)
        name: String,
    },
}

/// `--role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RoleArg {
    /// 일반 작업자 (staff)
    Staff,
    /// 팀장: 결재, 모든 사례 보기, 인계 (lead: approvals, everyone's cases, handover)
    Lead,
    /// 관리자: 가져오기·작업자 추가 (admin: imports, adding operators)
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Staff => Role::Staff,
            RoleArg::Lead => Role::Lead,
            RoleArg::Admin => Role::Admin,
        }
    }
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let store = g.open_store()?;
    match &args.action {
        Command::List => {
            let users = store.users()?;
            output::lines(
                users
                    .iter()
                    .map(|(name, role)| format!("{name}\t{}", role.as_str())),
            )?;
        }
        Command::Add {
            name,
            role,
            new_key_file,
        } => {
            let role = Role::from(*role);
            store.add_user(name, role)?;
            let name = canonical_operator(name, "users add")?;
            output::line(&format!("{name}: {}", role.as_str()))?;
            super::db::add_key_slot(&store, &name, new_key_file.as_deref())?;
        }
        Command::Remove { name } => {
            store.remove_user(name)?;
            let name = canonical_operator(name, "users remove")?;
            output::line(&format!("{name}: 삭제했습니다 (removed)"))?;
        }
        Command::Passwd { name, new_key_file } => {
            super::db::passwd(&store, name.as_deref(), new_key_file.as_deref())?;
        }
        Command::Disable { name } => super::db::disable(&store, name)?,
    }
    Ok(ExitCode::SUCCESS)
}

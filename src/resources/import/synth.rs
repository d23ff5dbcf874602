//! Synthetic input for benches and tests.

use encoding_rs::EUC_KR;
use std::io::{self, BufWriter, Write};
use std::path::Path;

const KINDS: [(&str, &str); 6] = [
    ("보건·의료", "방문건강관리"),
    ("돌봄·요양", "노인맞춤돌봄"),
    ("식품·생계", "푸드뱅크"),
    ("주거", "주거개선"),
    ("정신건강", "정신건강복지센터"),
    ("아동·가족", "지역아동센터"),
];
const DONGS: [&str; 6] = [
    "효자동2가",
    "삼천동1가",
    "송천동2가",
    "서신동",
    "평화동2가",
    "인후동1가",
];

/// Writes an `n`-row resource CSV in CP949 with CRLF line ends (header `기관명,분류,세부유형,
/// 주소,연락처,정원,기관코드`), deterministic. Every 10th address is quoted and holds a comma; the
/// names include `똠` (a CP949-only syllable). Returns the number of bytes written.
pub fn write_cp949_resources(path: &Path, n: u64) -> io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 16, std::fs::File::create(path)?);
    let mut written = 0u64;
    let mut put = |out: &mut BufWriter<std::fs::File>, line: &str| -> io::Result<()> {
        let (bytes, _, _) = EUC_KR.encode(line);
        written += bytes.len() as u64;
        out.write_all(&bytes)
    };
    put(
        &mut out,
        "기관명,분류,세부유형,주소,연락처,정원,기관코드\r\n",
    )?;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut line = String::with_capacity(200);
    for i in 0..n {
        let r = splitmix64(&mut state);
        let (cat, kind) = KINDS[(r % 6) as usize];
        let dong = DONGS[((r >> 8) % 6) as usize];
        let no = (r >> 16) % 500 + 1;
        line.clear();
        use std::fmt::Write as _;
        let addr = if i % 10 == 0 {
            format!("\"전북특별자치도 전주시 완산구 {dong} {no}, 2층\"")
        } else {
            format!("전북특별자치도 전주시 완산구 {dong} {no}")
        };
        let _ = write!(
            line,
            "똠방{kind} {i},{cat},{kind},{addr},063-{:03}-{:04},{},G-{i:07}\r\n",
            (r >> 24) % 900 + 100,
            (r >> 34) % 10000,
            (r >> 48) % 200
        );
        put(&mut out, &line)?;
    }
    out.flush()?;
    Ok(written)
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

//! A self-contained A4 HTML file of a 서식: inline CSS, the system's Korean fonts, no network,
//! every value HTML-escaped. Prints cleanly from any browser.

use super::layout::{Block, Layout};

/// Escapes `&`, `<`, `>`, `"` and `'`; newlines become `<br>`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
@page { size: A4; margin: 15mm 15mm 18mm 15mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 180mm; color: #000; background: #fff;
  font-family: \"Malgun Gothic\", \"맑은 고딕\", \"Apple SD Gothic Neo\", \"Noto Sans CJK KR\",
    \"Noto Sans KR\", \"NanumGothic\", \"나눔고딕\", \"Hancom Dotum\", \"함초롬돋움\", sans-serif;
  font-size: 10pt; line-height: 1.45; }
h1 { font-size: 17pt; text-align: center; margin: 0 0 6mm; letter-spacing: 0.2em; }
h2 { font-size: 11.5pt; margin: 5mm 0 2mm; }
p { margin: 1.5mm 0; }
p.sign { text-align: right; margin-top: 8mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 1mm 0 2mm;
  page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 0.3mm solid #000; padding: 1.2mm 1.8mm; vertical-align: middle;
  word-break: keep-all; overflow-wrap: anywhere; text-align: left; font-weight: normal; }
th { background: #e8e8e8; font-weight: bold; text-align: center; }
footer { margin-top: 6mm; font-size: 8pt; color: #444; border-top: 0.2mm solid #888;
  padding-top: 1mm; }
@media print { footer { position: fixed; bottom: 0; left: 0; right: 0; } }
";

/// Renders a filled 서식 as one HTML document.
pub fn render(layout: &Layout) -> String {
    let mut o = String::with_capacity(8192);
    o.push_str("<!DOCTYPE html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    o.push_str(&format!("<title>{}</title>\n", escape(&layout.name)));
    o.push_str("<style>\n");
    o.push_str(STYLE);
    o.push_str("</style>\n</head>\n<body>\n");
    for b in &layout.blocks {
        match b {
            Block::Title(t) => o.push_str(&format!("<h1>{}</h1>\n", escape(t))),
            Block::Heading(t) => o.push_str(&format!("<h2>{}</h2>\n", escape(t))),
            Block::Para(t) => o.push_str(&format!("<p>{}</p>\n", escape(t))),
            Block::Sign(t) => o.push_str(&format!("<p class=\"sign\">{}</p>\n", escape(t))),
            Block::Table { widths, rows } => {
                let total: u32 = widths.iter().sum::<u32>().max(1);
                o.push_str("<table>\n<colgroup>");
                for w in widths {
                    let pct = f64::from(*w) * 100.0 / f64::from(total);
                    o.push_str(&format!("<col style=\"width:{pct:.2}%\">"));
                }
                o.push_str("</colgroup>\n");
                for row in rows {
                    o.push_str("<tr>");
                    for c in row {
                        let tag = if c.label { "th" } else { "td" };
                        let span = if c.span > 1 {
                            format!(" colspan=\"{}\"", c.span)
                        } else {
                            String::new()
                        };
                        o.push_str(&format!("<{tag}{span}>{}</{tag}>", escape(&c.text)));
                    }
                    o.push_str("</tr>\n");
                }
                o.push_str("</table>\n");
            }
        }
    }
    o.push_str(&format!(
        "<footer>{} · {}</footer>\n",
        escape(&layout.name),
        escape(&layout.footer)
    ));
    o.push_str("</body>\n</html>\n");
    o
}

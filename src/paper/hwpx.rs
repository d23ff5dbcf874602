//! HWPX (OWPML, KS X 6101): the open XML format of 한글, written as a zip package of templates:
//! `mimetype` (stored, first), `version.xml`, `META-INF/container.xml`, `META-INF/manifest.xml`,
//! `Contents/content.hpf`, `Contents/header.xml` (fonts, borders, character and paragraph
//! shapes, one style), `Contents/section0.xml` (A4 page, paragraphs and real tables) and
//! `settings.xml`. The result opens in 한글 / 한컴오피스 as an editable document.
//!
//! Units are HWPUNIT (1/7200 inch): A4 is 59528 × 84188, 1 mm ≈ 283.

use super::PaperError;
use super::layout::{Block, Cell, Layout};
use std::fmt::Write as _;
use std::io::Write;

const NS: &str = concat!(
    r#" xmlns:ha="http://www.hancom.co.kr/hwpml/2011/app""#,
    r#" xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph""#,
    r#" xmlns:hp10="http://www.hancom.co.kr/hwpml/2016/paragraph""#,
    r#" xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section""#,
    r#" xmlns:hc="http://www.hancom.co.kr/hwpml/2011/core""#,
    r#" xmlns:hh="http://www.hancom.co.kr/hwpml/2011/head""#,
    r#" xmlns:hhs="http://www.hancom.co.kr/hwpml/2011/history""#,
    r#" xmlns:hm="http://www.hancom.co.kr/hwpml/2011/master-page""#,
    r#" xmlns:hpf="http://www.hancom.co.kr/schema/2011/hpf""#,
    r#" xmlns:dc="http://purl.org/dc/elements/1.1/""#,
    r#" xmlns:opf="http://www.idpf.org/2007/opf/""#,
    r#" xmlns:ooxmlchart="http://www.hancom.co.kr/hwpml/2016/ooxmlchart""#,
    r#" xmlns:hwpunitchar="http://www.hancom.co.kr/hwpml/2016/HwpUnitChar""#,
    r#" xmlns:epub="http://www.idpf.org/2007/ops""#,
    r#" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0""#,
);

const XML_DECL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>"#;

const MIMETYPE: &str = "application/hwp+zip";

const VERSION_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes" ?><hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" tagetApplication="WORDPROCESSOR" major="5" minor="1" micro="0" buildNumber="1" os="1" xmlVersion="1.4" application="dolbom" appVersion="1.0"/>"#;

const CONTAINER_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes" ?><ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:hpf="http://www.hancom.co.kr/schema/2011/hpf"><ocf:rootfiles><ocf:rootfile full-path="Contents/content.hpf" media-type="application/hwpml-package+xml"/></ocf:rootfiles></ocf:container>"#;

const MANIFEST_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes" ?><odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>"#;

const SETTINGS_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes" ?><ha:HWPApplicationSetting xmlns:ha="http://www.hancom.co.kr/hwpml/2011/app" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"><ha:CaretPosition listIDRef="0" paraIDRef="0" pos="0"/></ha:HWPApplicationSetting>"#;

/// Page: A4 portrait, 30 mm left/right margins as 한글's default (text width 42520).
const PAGE_W: i64 = 59528;
const PAGE_H: i64 = 84188;
const MARGIN_LR: i64 = 5670;
const TEXT_W: i64 = PAGE_W - 2 * MARGIN_LR;
const ROW_H: i64 = 1900;

/// Character shapes (ids into `charProperties`).
mod cpr {
    pub const NORMAL: u32 = 0;
    pub const BOLD: u32 = 1;
    pub const TITLE: u32 = 2;
    pub const HEADING: u32 = 3;
    pub const SMALL: u32 = 4;
}

/// Paragraph shapes (ids into `paraProperties`).
mod ppr {
    pub const BODY: u32 = 0;
    pub const CENTER: u32 = 1;
    pub const RIGHT: u32 = 2;
    pub const CELL: u32 = 3;
    pub const CELL_CENTER: u32 = 4;
}

/// Border fills: 1 none, 2 none (character background), 3 table lines, 4 lines + grey.
const BF_TABLE: u32 = 3;
const BF_LABEL: u32 = 4;

fn border_fill(id: u32, line: bool, grey: bool) -> String {
    let t = if line { "SOLID" } else { "NONE" };
    let w = if line { "0.12 mm" } else { "0.1 mm" };
    let mut s = format!(
        r#"<hh:borderFill id="{id}" threeD="0" shadow="0" centerLine="NONE" breakCellSeparateLine="0"><hh:slash type="NONE" Crooked="0" isCounter="0"/><hh:backSlash type="NONE" Crooked="0" isCounter="0"/>"#
    );
    for side in ["left", "right", "top", "bottom"] {
        let _ = write!(
            s,
            r##"<hh:{side}Border type="{t}" width="{w}" color="#000000"/>"##
        );
    }
    s.push_str(r##"<hh:diagonal type="SOLID" width="0.1 mm" color="#000000"/>"##);
    if grey {
        s.push_str(
            r##"<hc:fillBrush><hc:winBrush faceColor="#E8E8E8" hatchColor="#000000" alpha="0"/></hc:fillBrush>"##,
        );
    } else if id == 2 {
        s.push_str(
            r##"<hc:fillBrush><hc:winBrush faceColor="none" hatchColor="#FF000000" alpha="0"/></hc:fillBrush>"##,
        );
    }
    s.push_str("</hh:borderFill>");
    s
}

fn char_pr(id: u32, height: u32, bold: bool, color: &str) -> String {
    let all = |v: i32| {
        format!(
            r#"hangul="{v}" latin="{v}" hanja="{v}" japanese="{v}" other="{v}" symbol="{v}" user="{v}""#
        )
    };
    format!(
        r##"<hh:charPr id="{id}" height="{height}" textColor="{color}" shadeColor="none" useFontSpace="0" useKerning="0" symMark="NONE" borderFillIDRef="2"><hh:fontRef {z}/><hh:ratio {h}/><hh:spacing {z}/><hh:relSz {h}/><hh:offset {z}/>{b}<hh:underline type="NONE" shape="SOLID" color="#000000"/><hh:strikeout shape="NONE" color="#000000"/><hh:outline type="NONE"/><hh:shadow type="NONE" color="#B2B2B2" offsetX="10" offsetY="10"/></hh:charPr>"##,
        z = all(0),
        h = all(100),
        b = if bold { "<hh:bold/>" } else { "" },
    )
}

fn para_pr(id: u32, align: &str, line: u32) -> String {
    let margin = r#"<hh:margin><hc:intent value="0" unit="HWPUNIT"/><hc:left value="0" unit="HWPUNIT"/><hc:right value="0" unit="HWPUNIT"/><hc:prev value="0" unit="HWPUNIT"/><hc:next value="0" unit="HWPUNIT"/></hh:margin>"#;
    let spacing = format!(r#"<hh:lineSpacing type="PERCENT" value="{line}" unit="HWPUNIT"/>"#);
    format!(
        r#"<hh:paraPr id="{id}" tabPrIDRef="0" condense="0" fontLineHeight="0" snapToGrid="1" suppressLineNumbers="0" checked="0"><hh:align horizontal="{align}" vertical="BASELINE"/><hh:heading type="NONE" idRef="0" level="0"/><hh:breakSetting breakLatinWord="KEEP_WORD" breakNonLatinWord="KEEP_WORD" widowOrphan="0" keepWithNext="0" keepLines="0" pageBreakBefore="0" lineWrap="BREAK"/><hh:autoSpacing eAsianEng="0" eAsianNum="0"/><hp:switch><hp:case hp:required-namespace="http://www.hancom.co.kr/hwpml/2016/HwpUnitChar">{margin}{spacing}</hp:case><hp:default>{margin}{spacing}</hp:default></hp:switch><hh:border borderFillIDRef="2" offsetLeft="0" offsetRight="0" offsetTop="0" offsetBottom="0" connect="0" ignoreMargin="0"/></hh:paraPr>"#
    )
}

/// `Contents/header.xml`: one font (함초롬돋움, shipped with 한글) for every script, the border
/// fills, five character shapes, five paragraph shapes and the 바탕글 style.
fn header_xml() -> String {
    let mut s = String::with_capacity(12_000);
    s.push_str(XML_DECL);
    let _ = write!(
        s,
        r#"<hh:head{NS} version="1.4" secCnt="1"><hh:beginNum page="1" footnote="1" endnote="1" pic="1" tbl="1" equation="1"/><hh:refList><hh:fontfaces itemCnt="7">"#
    );
    for lang in [
        "HANGUL", "LATIN", "HANJA", "JAPANESE", "OTHER", "SYMBOL", "USER",
    ] {
        let _ = write!(
            s,
            r#"<hh:fontface lang="{lang}" fontCnt="1"><hh:font id="0" face="함초롬돋움" type="TTF" isEmbedded="0"><hh:typeInfo familyType="FCAT_GOTHIC" weight="6" proportion="4" contrast="0" strokeVariation="1" armStyle="1" letterform="1" midline="1" xHeight="1"/></hh:font></hh:fontface>"#
        );
    }
    s.push_str(r#"</hh:fontfaces><hh:borderFills itemCnt="4">"#);
    s.push_str(&border_fill(1, false, false));
    s.push_str(&border_fill(2, false, false));
    s.push_str(&border_fill(BF_TABLE, true, false));
    s.push_str(&border_fill(BF_LABEL, true, true));
    s.push_str(r#"</hh:borderFills><hh:charProperties itemCnt="5">"#);
    s.push_str(&char_pr(cpr::NORMAL, 1000, false, "#000000"));
    s.push_str(&char_pr(cpr::BOLD, 1000, true, "#000000"));
    s.push_str(&char_pr(cpr::TITLE, 1700, true, "#000000"));
    s.push_str(&char_pr(cpr::HEADING, 1150, true, "#000000"));
    s.push_str(&char_pr(cpr::SMALL, 800, false, "#555555"));
    s.push_str(
        r#"</hh:charProperties><hh:tabProperties itemCnt="1"><hh:tabPr id="0" autoTabLeft="0" autoTabRight="0"/></hh:tabProperties><hh:paraProperties itemCnt="5">"#,
    );
    s.push_str(&para_pr(ppr::BODY, "JUSTIFY", 160));
    s.push_str(&para_pr(ppr::CENTER, "CENTER", 160));
    s.push_str(&para_pr(ppr::RIGHT, "RIGHT", 160));
    s.push_str(&para_pr(ppr::CELL, "LEFT", 130));
    s.push_str(&para_pr(ppr::CELL_CENTER, "CENTER", 130));
    s.push_str(
        r#"</hh:paraProperties><hh:styles itemCnt="1"><hh:style id="0" type="PARA" name="바탕글" engName="Normal" paraPrIDRef="0" charPrIDRef="0" nextStyleIDRef="0" langID="1042" lockForm="0"/></hh:styles></hh:refList><hh:compatibleDocument targetProgram="HWP201X"><hh:layoutCompatibility/></hh:compatibleDocument><hh:docOption><hh:linkinfo path="" pageInherit="0" footnoteInherit="0"/></hh:docOption><hh:trackchageConfig flags="56"/></hh:head>"#,
    );
    s
}

fn content_hpf(title: &str) -> String {
    format!(
        r#"{XML_DECL}<opf:package{NS} version="" unique-identifier="" id=""><opf:metadata><opf:title>{}</opf:title><opf:language>ko</opf:language><opf:meta name="creator" content="text">dolbom</opf:meta><opf:meta name="subject" content="text"/><opf:meta name="description" content="text"/><opf:meta name="keyword" content="text"/></opf:metadata><opf:manifest><opf:item id="header" href="Contents/header.xml" media-type="application/xml"/><opf:item id="section0" href="Contents/section0.xml" media-type="application/xml"/><opf:item id="settings" href="settings.xml" media-type="application/xml"/></opf:manifest><opf:spine><opf:itemref idref="header" linear="yes"/><opf:itemref idref="section0" linear="yes"/></opf:spine></opf:package>"#,
        xml_escape(title)
    )
}

const SEC_PR: &str = r##"<hp:secPr id="" textDirection="HORIZONTAL" spaceColumns="1134" tabStop="8000" tabStopVal="4000" tabStopUnit="HWPUNIT" outlineShapeIDRef="0" memoShapeIDRef="0" textVerticalWidthHead="0" masterPageCnt="0"><hp:grid lineGrid="0" charGrid="0" wonggojiFormat="0"/><hp:startNum pageStartsOn="BOTH" page="0" pic="0" tbl="0" equation="0"/><hp:visibility hideFirstHeader="0" hideFirstFooter="0" hideFirstMasterPage="0" border="SHOW_ALL" fill="SHOW_ALL" hideFirstPageNum="0" hideFirstEmptyLine="0" showLineNumber="0"/><hp:lineNumberShape restartType="0" countBy="0" distance="0" startNumber="0"/><hp:pagePr landscape="WIDELY" width="59528" height="84188" gutterType="LEFT_ONLY"><hp:margin header="2835" footer="2835" gutter="0" left="5670" right="5670" top="4252" bottom="4252"/></hp:pagePr><hp:footNotePr><hp:autoNumFormat type="DIGIT" userChar="" prefixChar="" suffixChar=")" supscript="0"/><hp:noteLine length="-1" type="SOLID" width="0.12 mm" color="#000000"/><hp:noteSpacing betweenNotes="283" belowLine="567" aboveLine="850"/><hp:numbering type="CONTINUOUS" newNum="1"/><hp:placement place="EACH_COLUMN" beneathText="0"/></hp:footNotePr><hp:endNotePr><hp:autoNumFormat type="DIGIT" userChar="" prefixChar="" suffixChar=")" supscript="0"/><hp:noteLine length="14692344" type="SOLID" width="0.12 mm" color="#000000"/><hp:noteSpacing betweenNotes="0" belowLine="567" aboveLine="850"/><hp:numbering type="CONTINUOUS" newNum="1"/><hp:placement place="END_OF_DOCUMENT" beneathText="0"/></hp:endNotePr><hp:pageBorderFill type="BOTH" borderFillIDRef="1" textBorder="PAPER" headerInside="0" footerInside="0" fillArea="PAPER"><hp:offset left="1417" right="1417" top="1417" bottom="1417"/></hp:pageBorderFill><hp:pageBorderFill type="EVEN" borderFillIDRef="1" textBorder="PAPER" headerInside="0" footerInside="0" fillArea="PAPER"><hp:offset left="1417" right="1417" top="1417" bottom="1417"/></hp:pageBorderFill><hp:pageBorderFill type="ODD" borderFillIDRef="1" textBorder="PAPER" headerInside="0" footerInside="0" fillArea="PAPER"><hp:offset left="1417" right="1417" top="1417" bottom="1417"/></hp:pageBorderFill></hp:secPr><hp:ctrl><hp:colPr id="" type="NEWSPAPER" layout="LEFT" colCount="1" sameSz="1" sameGap="0"/></hp:ctrl>"##;

/// Escapes text for XML content and attributes, dropping characters XML 1.0 forbids.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

struct Section {
    xml: String,
    next_id: u64,
    first: bool,
}

impl Section {
    fn new() -> Section {
        let mut xml = String::with_capacity(16_384);
        xml.push_str(XML_DECL);
        let _ = write!(xml, "<hs:sec{NS}>");
        Section {
            xml,
            next_id: 1,
            first: true,
        }
    }

    fn open_p(&mut self, para: u32) {
        let _ = write!(
            self.xml,
            r#"<hp:p id="{}" paraPrIDRef="{para}" styleIDRef="0" pageBreak="0" columnBreak="0" merged="0">"#,
            self.next_id
        );
        self.next_id += 1;
        if self.first {
            // The section's page setup rides in the first paragraph's first run.
            self.first = false;
            let _ = write!(self.xml, r#"<hp:run charPrIDRef="0">{SEC_PR}</hp:run>"#);
        }
    }

    /// One paragraph per line of `text`.
    fn paragraphs(&mut self, text: &str, para: u32, chars: u32) {
        for line in text.split('\n') {
            self.open_p(para);
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                let _ = write!(self.xml, r#"<hp:run charPrIDRef="{chars}"/>"#);
            } else {
                let _ = write!(
                    self.xml,
                    r#"<hp:run charPrIDRef="{chars}"><hp:t>{}</hp:t></hp:run>"#,
                    xml_escape(line)
                );
            }
            self.xml.push_str("</hp:p>");
        }
    }

    fn cell_paragraphs(&mut self, c: &Cell) {
        let (para, chars) = if c.label {
            (ppr::CELL_CENTER, cpr::BOLD)
        } else {
            (ppr::CELL, cpr::NORMAL)
        };
        for line in c.text.split('\n') {
            let line = line.trim_end_matches('\r');
            let _ = write!(
                self.xml,
                r#"<hp:p id="0" paraPrIDRef="{para}" styleIDRef="0" pageBreak="0" columnBreak="0" merged="0">"#
            );
            if line.is_empty() {
                let _ = write!(self.xml, r#"<hp:run charPrIDRef="{chars}"/>"#);
            } else {
                let _ = write!(
                    self.xml,
                    r#"<hp:run charPrIDRef="{chars}"><hp:t>{}</hp:t></hp:run>"#,
                    xml_escape(line)
                );
            }
            self.xml.push_str("</hp:p>");
        }
    }

    fn table(&mut self, widths: &[u32], rows: &[Vec<Cell>]) {
        let total: i64 = widths.iter().map(|w| i64::from(*w)).sum::<i64>().max(1);
        let mut cols: Vec<i64> = widths
            .iter()
            .map(|w| i64::from(*w) * TEXT_W / total)
            .collect();
        let used: i64 = cols.iter().sum();
        if let Some(last) = cols.last_mut() {
            *last += TEXT_W - used;
        }
        let row_cnt = rows.len();
        let col_cnt = widths.len();
        let height = ROW_H * i64::try_from(row_cnt).unwrap_or(1);
        let id = 1_000_000 + self.next_id;
        self.open_p(ppr::BODY);
        let _ = write!(
            self.xml,
            r#"<hp:run charPrIDRef="0"><hp:tbl id="{id}" zOrder="0" numberingType="TABLE" textWrap="TOP_AND_BOTTOM" textFlow="BOTH_SIDES" lock="0" dropcapstyle="None" pageBreak="CELL" repeatHeader="0" rowCnt="{row_cnt}" colCnt="{col_cnt}" cellSpacing="0" borderFillIDRef="{BF_TABLE}" noAdjust="0"><hp:sz width="{TEXT_W}" widthRelTo="ABSOLUTE" height="{height}" heightRelTo="ABSOLUTE" protect="0"/><hp:pos treatAsChar="0" affectLSpacing="0" flowWithText="1" allowOverlap="0" holdAnchorAndSO="0" vertRelTo="PARA" horzRelTo="COLUMN" vertAlign="TOP" horzAlign="LEFT" vertOffset="0" horzOffset="0"/><hp:outMargin left="0" right="0" top="283" bottom="283"/><hp:inMargin left="510" right="510" top="141" bottom="141"/>"#
        );
        for (r, row) in rows.iter().enumerate() {
            self.xml.push_str("<hp:tr>");
            let mut col = 0usize;
            for c in row {
                let span = usize::try_from(c.span.max(1)).unwrap_or(1);
                let end = (col + span).min(col_cnt);
                let width: i64 = cols[col.min(col_cnt)..end].iter().sum();
                let bf = if c.label { BF_LABEL } else { BF_TABLE };
                let _ = write!(
                    self.xml,
                    r#"<hp:tc name="" header="0" hasMargin="0" protect="0" editable="0" dirty="0" borderFillIDRef="{bf}"><hp:subList id="" textDirection="HORIZONTAL" lineWrap="BREAK" vertAlign="CENTER" linkListIDRef="0" linkListNextIDRef="0" textWidth="0" textHeight="0" hasTextRef="0" hasNumRef="0">"#
                );
                self.cell_paragraphs(c);
                let _ = write!(
                    self.xml,
                    r#"</hp:subList><hp:cellAddr colAddr="{col}" rowAddr="{r}"/><hp:cellSpan colSpan="{span}" rowSpan="1"/><hp:cellSz width="{width}" height="{ROW_H}"/><hp:cellMargin left="510" right="510" top="141" bottom="141"/></hp:tc>"#
                );
                col += span;
            }
            self.xml.push_str("</hp:tr>");
        }
        self.xml.push_str("</hp:tbl><hp:t/></hp:run></hp:p>");
    }

    fn finish(mut self) -> String {
        if self.first {
            self.paragraphs("", ppr::BODY, cpr::NORMAL);
        }
        self.xml.push_str("</hs:sec>");
        self.xml
    }
}

/// `Contents/section0.xml` of a layout.
pub fn section_xml(layout: &Layout) -> String {
    let mut s = Section::new();
    for b in &layout.blocks {
        match b {
            Block::Title(t) => s.paragraphs(t, ppr::CENTER, cpr::TITLE),
            Block::Heading(t) => s.paragraphs(t, ppr::BODY, cpr::HEADING),
            Block::Para(t) => s.paragraphs(t, ppr::BODY, cpr::NORMAL),
            Block::Sign(t) => s.paragraphs(t, ppr::RIGHT, cpr::NORMAL),
            Block::Table { widths, rows } => s.table(widths, rows),
        }
    }
    s.paragraphs(&layout.footer, ppr::RIGHT, cpr::SMALL);
    s.finish()
}

/// The whole HWPX package of a layout.
pub fn render(layout: &Layout) -> Result<Vec<u8>, PaperError> {
    let err = |e: &dyn std::fmt::Display| PaperError::Hwpx(e.to_string());
    let fixed = zip::DateTime::default();
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(fixed);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(fixed);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(32_768)));
    let parts: [(&str, String, bool); 8] = [
        ("mimetype", MIMETYPE.to_string(), true),
        ("version.xml", VERSION_XML.to_string(), false),
        ("META-INF/container.xml", CONTAINER_XML.to_string(), false),
        ("META-INF/manifest.xml", MANIFEST_XML.to_string(), false),
        ("Contents/content.hpf", content_hpf(&layout.name), false),
        ("Contents/header.xml", header_xml(), false),
        ("Contents/section0.xml", section_xml(layout), false),
        ("settings.xml", SETTINGS_XML.to_string(), false),
    ];
    for (name, body, store) in parts {
        zip.start_file(name, if store { stored } else { deflated })
            .map_err(|e| err(&e))?;
        zip.write_all(body.as_bytes()).map_err(|e| err(&e))?;
    }
    Ok(zip.finish().map_err(|e| err(&e))?.into_inner())
}

/// Page size in HWPUNIT (width, height), for tests and the print layout.
pub fn page_size() -> (i64, i64) {
    (PAGE_W, PAGE_H)
}

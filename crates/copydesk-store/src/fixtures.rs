//! Small PDF and DOCX files written for tests (feature `fixtures`): what a newsroom's
//! sources look like to the readers in [`crate::documents`], made on the spot with the
//! tests' own sentences, so that no test depends on a file checked in.

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};
use std::io::Write;

/// Font size of the text of [`pdf`], and the distance between its lines.
const FONT_SIZE: i64 = 11;
const LEADING: i64 = 14;

/// A PDF (Helvetica, WinAnsi) with one page per string: "\n" ends a printed line, an
/// empty line ("\n\n") leaves a paragraph's space. An empty string is a page with no text
/// (a grey box on it, as a scanned page has an image).
pub fn pdf(pages: &[&str]) -> Vec<u8> {
    build_pdf(pages.iter().map(|p| page_content(p)).collect(), None)
}

/// A PDF of `pages` pages with no text layer: each one an image-like grey box.
pub fn scanned_pdf(pages: usize) -> Vec<u8> {
    pdf(&vec![""; pages])
}

/// A PDF with one page of text, encrypted with a password we do not know (the security
/// handler's keys are made up: no password opens it).
pub fn encrypted_pdf() -> Vec<u8> {
    let plain = pdf(&["A page nobody can read without the password."]);
    let mut doc = Document::load_mem(&plain).expect("the PDF just written");
    let encrypt = doc.add_object(dictionary! {
        "Filter" => "Standard",
        "V" => 1,
        "R" => 2,
        "O" => Object::string_literal(vec![0x5a; 32]),
        "U" => Object::string_literal(vec![0xa5; 32]),
        "P" => -4,
    });
    doc.trailer.set("Encrypt", encrypt);
    doc.trailer.set("ID", vec![Object::string_literal(vec![7; 16]), Object::string_literal(vec![7; 16])]);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("a PDF written to memory");
    out
}

/// A PDF whose one page draws a form that draws itself: a reader that follows forms
/// without a limit recurses until its stack runs out.
pub fn self_drawing_pdf() -> Vec<u8> {
    let draw = Content { operations: vec![Operation::new("Do", vec!["X1".into()])] };
    build_pdf(vec![draw], Some(()))
}

fn page_content(page: &str) -> Content {
    if page.trim().is_empty() {
        // No text: a filled box where a scan's image would be.
        let operations = vec![
            Operation::new("g", vec![0.5.into()]),
            Operation::new("re", vec![72.into(), 72.into(), 450.into(), 650.into()]),
            Operation::new("f", vec![]),
        ];
        return Content { operations };
    }
    let mut ops = vec![Operation::new("BT", vec![]), Operation::new("Tf", vec!["F1".into(), FONT_SIZE.into()])];
    let mut y = 760;
    for line in page.split('\n') {
        if !line.is_empty() {
            let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(line);
            ops.push(Operation::new("Tm", vec![1.into(), 0.into(), 0.into(), 1.into(), 72.into(), y.into()]));
            ops.push(Operation::new("Tj", vec![Object::string_literal(bytes.into_owned())]));
        }
        y -= LEADING;
    }
    ops.push(Operation::new("ET", vec![]));
    Content { operations: ops }
}

/// A PDF of pages with these contents; `self_drawing`: a form X1 in the resources that
/// draws X1.
fn build_pdf(pages: Vec<Content>, self_drawing: Option<()>) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let mut resources = dictionary! { "Font" => dictionary! { "F1" => font } };
    if self_drawing.is_some() {
        let form_id = doc.new_object_id();
        let form = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "X1" => form_id } },
            },
            b"/X1 Do".to_vec(),
        );
        doc.objects.insert(form_id, Object::Stream(form));
        resources.set("XObject", dictionary! { "X1" => form_id });
    }
    let resources_id = doc.add_object(resources);
    let mut kids = Vec::new();
    for content in pages {
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap_or_default()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("a PDF written to memory");
    out
}

/// A Word document (.docx) with these paragraphs; a tab in one is written as a tab
/// element, as Word does.
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let mut body = String::new();
    for p in paragraphs {
        body.push_str("<w:p><w:pPr><w:pStyle w:val=\"Normal\"/></w:pPr>");
        for (i, part) in p.split('\t').enumerate() {
            if i > 0 {
                body.push_str("<w:r><w:tab/></w:r>");
            }
            body.push_str(&format!(
                "<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
                escape(part)
            ));
        }
        body.push_str("</w:p>");
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    docx_package(&[("word/document.xml", &document)])
}

/// A zip package of a Word document's other parts and `parts` (name, content).
pub fn docx_package(parts: &[(&str, &str)]) -> Vec<u8> {
    const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/word/document.xml\" \
        ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
    const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" \
        Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" \
        Target=\"word/document.xml\"/></Relationships>";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS)].iter().chain(parts) {
        zip.start_file(*name, options).expect("a zip entry in memory");
        zip.write_all(content.as_bytes()).expect("a zip entry in memory");
    }
    zip.finish().expect("a zip in memory").into_inner()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

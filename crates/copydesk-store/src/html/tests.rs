use super::html_to_text;
use std::time::{Duration, Instant};

fn text(html: &str) -> String {
    html_to_text(html).1
}

#[test]
fn keeps_paragraphs_and_drops_scripts() {
    let (title, text) = html_to_text(
        "<html><head><title>Ministry figures</title><script>var x = 5;</script></head><body><nav>Home</nav>\
         <h1>Troops</h1><p>About <b>900</b> soldiers arrived.</p><p>Second.</p></body></html>",
    );
    assert_eq!(title.as_deref(), Some("Ministry figures"));
    assert_eq!(text, "Troops\n\nAbout 900 soldiers arrived.\n\nSecond.\n");
}

#[test]
fn a_normal_page() {
    // Blocks inside inline elements, text around blocks, empty blocks, a title after an
    // empty one, skipped elements inside the body, entities and line breaks.
    let (title, text) = html_to_text(
        "<html><head><title> </title><title>Second\n title</title></head><body>\
         <div>Lead <b>in <i>bold</i></b> text<div>inner</div>tail </div>\
         <p></p><ul><li>one</li><li> two </li></ul><script>x()</script>\
         <table><tr><td>1</td><td> 2</td></tr><tr><td>3</td></tr></table>\
         <span>a<br>b</span> &amp; <em>end</em></body></html>",
    );
    assert_eq!(title.as_deref(), Some("Second title"));
    assert_eq!(text, "Lead in bold text\n\ninner\n\ntail\n\none\n\ntwo\n\n1 2\n\n3\n\na\n\nb & end\n");
}

#[test]
fn whitespace_between_inline_elements_is_a_space() {
    // A text node of whitespace alone between two elements separates their words.
    assert_eq!(
        text("<p><b>Troops</b> <i>arrived</i>&nbsp;<span>on</span>\n<span>Monday.</span></p>"),
        "Troops arrived on Monday.\n"
    );
    assert_eq!(text("<p>a<!-- note -->b</p>"), "ab\n");
    assert_eq!(text("<p>Fell\0 4%.</p>"), "Fell 4%.\n");
}

#[test]
fn the_head_ends_where_content_starts() {
    // No </head>, no <body>: the first element that cannot stand in a head starts the body;
    // what the head holds (title, styles, scripts, templates) is not text.
    let (title, text) = html_to_text(
        "<!DOCTYPE html><meta charset=utf-8><title>Grain\n  shipments</title><style>p { x: 1 }</style>\
         <template><p>Hidden 1.</p></template><p>Shipments rose 12%.</p><title>In the body</title>",
    );
    assert_eq!(title.as_deref(), Some("Grain shipments"));
    assert_eq!(text, "Shipments rose 12%.\n\nIn the body\n");
    // Text alone starts the body too.
    assert_eq!(html_to_text("<title>T</title>Rose 5%.").1, "Rose 5%.\n");
}

#[test]
fn left_out_elements_nest_and_hide_their_end_tags_in_scripts() {
    assert_eq!(text("<nav><nav>Home</nav>Sections</nav><p>Kept 7.</p>"), "Kept 7.\n");
    assert_eq!(text("<nav><script>s = '</nav>';</script>Menu</nav><p>Kept 7.</p>"), "Kept 7.\n");
    assert_eq!(
        text("<p>Before 1.</p><noscript><p>Enable scripts</p></noscript><p>After 2.</p>"),
        "Before 1.\n\nAfter 2.\n"
    );
    // A script never closed hides the rest, as a browser's would.
    assert_eq!(text("<p>Before 1.</p><script>var a = '<p>x</p>';"), "Before 1.\n");
}

#[test]
fn svg_is_left_out_and_math_is_read() {
    // Inside SVG a <style> is an SVG element, not raw text: the SVG still ends at </svg>.
    assert_eq!(
        text("<p>Chart:</p><svg><style>.a{}</svg><svg><text>42 bars</text><svg/></svg><p>After 3.</p>"),
        "Chart:\n\nAfter 3.\n"
    );
    // HTML elements break out of SVG; MathML's text is text.
    assert_eq!(text("<svg><g>hidden<p>Out 3.</p>"), "Out 3.\n");
    assert_eq!(text("<p>Area <math><mi>x</mi><style>y</style></math> m2.</p>"), "Area xy m2.\n");
}

#[test]
fn text_stays_in_the_order_written() {
    // A tree builder moves text in a table but outside its cells before the table.
    assert_eq!(
        text("<table><tr><td>Cell 1</td></tr>Stray 2<tr><td>Cell 3</td></tr></table>"),
        "Cell 1\n\nStray 2\n\nCell 3\n"
    );
    assert_eq!(text("<p>One <b>two <i>three</b> four</i> five.</p>"), "One two three four five.\n");
}

/// Pages that cost a tree builder the square of their tags, each about 2 MB: read in a
/// linear pass, each in well under a second (html5ever took minutes to hours over them).
/// Found by the HTML fuzz target: a page of such tags took html5ever 36 s there.
#[test]
fn pages_that_cost_a_tree_builder_the_square_of_their_tags() {
    let n = 150_000;
    let distinct_formatting: String = (0..n).map(|i| format!("<b a{i}>")).collect();
    let many_attributes = format!("<p {}>Deep 42 text.", (0..n).map(|i| format!("a{i} ")).collect::<String>());
    let pages = [
        ("nested blocks", "<div>".repeat(n) + "Deep 42 text."),
        ("nested inline", "<span>".repeat(n) + "Deep 42 text." + &"</x>".repeat(n)),
        ("unclosed formatting", distinct_formatting + "Deep 42 text." + &"<p>x</p>y".repeat(n / 10)),
        ("nested svg", "<p>Deep 42 text.</p><svg>".to_string() + &"<g>".repeat(n) + &"</x>".repeat(n)),
        ("attributes", many_attributes),
        ("list items", "<ul>".repeat(n) + "<li>Deep 42 text." + &"</li>".repeat(n)),
        ("ruby", "<ruby>".to_string() + &"<span><rp>".repeat(n) + "Deep 42 text."),
    ];
    for (shape, page) in pages {
        let started = Instant::now();
        let (_, text) = html_to_text(&page);
        let took = started.elapsed();
        assert!(text.contains("Deep 42 text."), "{shape}");
        assert!(took < Duration::from_secs(5), "{shape}: {} bytes took {took:?}", page.len());
    }
}

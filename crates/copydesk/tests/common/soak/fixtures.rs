//! The soak's texts, in our own words: the drafts, the corpus (some of whose files state the
//! drafts' figures and quotes differently, and change during the run), and what edits insert.

pub const PORT_DRAFT: &str = "# Valmora port traffic 🚢\n\nThe port of Valmora handled 1,420 cargo ships in March, the harbour board said.\n\n\"We will raise berth fees this year,\" said Ines Korhal, the board's chair.\n\nDock workers unloaded 86,500 containers over the quarter, and 港湾 traffic rose.\n";
pub const BUDGET_DRAFT: &str = "# Brenhill budget\r\n\r\nThe Brenhill city council approved a budget of 421 million euros on Wednesday.\r\n\r\nMayor Tomas Ferreira said the plan would add 53 new bus routes by 2026.\r\n\r\n\"This budget puts cars first,\" Ferreira told reporters.\r\n";
pub const RAIL_DRAFT: &str = "Rail extension\r\rThe northern rail extension cost 3.2 billion dollars and carries 18,000 riders a day, the transit agency said.\r\r\"Trains will run every six minutes at peak hours,\" said Ines Korhal, the board's chair.\n";
pub const CAFE_DRAFT: &str = "Café owners 👩‍🍳 in Valmora said 40 percent of visitors came by ferry this spring.\nA ferry ticket costs 12 euros; the 東京 office sold 3,100 of them.\nThe ferry company carried 96,000 passengers in April, its director Joan Mercer said.\n";

/// Drafts: URI relative to the workspace (or an `untitled:` URI), the file the fresh check reads, the first text.
pub const DRAFTS: [(&str, &str, &str); 4] = [
    ("drafts/port.md", "drafts/port.md", PORT_DRAFT),
    ("drafts/budget.md", "drafts/budget.md", BUDGET_DRAFT),
    ("drafts/rail.txt", "drafts/rail.txt", RAIL_DRAFT),
    ("untitled:Untitled-1", "drafts/untitled-1.txt", CAFE_DRAFT),
];

/// Documents the client never opens (requests on them get empty answers).
pub const NEVER_OPENED: [&str; 2] = ["drafts/never.md", "untitled:Untitled-9"];

/// A source that never changes: the probe sentence contradicts it.
pub const ANCHOR: &str = "Oskel reservoir levels\n2024-04-01\n\nThe Oskel dam holds 740 million cubic metres of water, the water board said.\n";
pub const PROBE: &str = "The Oskel dam holds 470 million cubic metres of water.";

pub struct SourceFile {
    pub rel: &'static str,
    /// What the file can hold (the run picks one, or none: deleted).
    pub variants: &'static [&'static str],
    pub initial: Option<usize>,
}

pub const SOURCES: [SourceFile; 7] = [
    SourceFile {
        rel: "sources/port.txt",
        variants: &[
            "Harbour traffic report\n2024-04-02\n\nThe port of Valmora handled 1,240 cargo ships in March, the harbour board said on Tuesday.\n\n\"We will not raise berth fees this year,\" said Ines Korhal, the board's chair.\n\nDock workers unloaded 86,500 containers over the quarter.\n",
            "Harbour traffic report, corrected\n2024-04-03\n\nThe port of Valmora handled 1,420 cargo ships in March, the harbour board said.\r\n\r\nDock workers unloaded 68,500 containers over the quarter, a union official said.\r\n",
        ],
        initial: Some(0),
    },
    SourceFile {
        rel: "sources/council.md",
        variants: &[
            "# Council budget vote\n2024-04-03\n\nThe Brenhill city council approved a budget of 412 million euros on Wednesday.\n\nMayor Tomas Ferreira said the plan would add 35 new bus routes by 2026.\n\n\"This budget puts the buses first,\" Ferreira told reporters.\n",
            "# Council budget vote 🗳️\n2024-04-04\n\nThe Brenhill city council approved a budget of 421 million euros on Wednesday.\n\n\"This budget puts cars first,\" Ferreira told reporters.\n",
        ],
        initial: Some(0),
    },
    SourceFile {
        rel: "sources/rail.html",
        variants: &[
            "<html><head><title>Rail line</title></head><body>\n<h1>Northern rail extension opens</h1>\n<p>2024-04-05</p>\n<p>The northern rail extension cost 2.3 billion dollars and carries 18,000 riders a day, the transit agency said.</p>\n<p>\"Trains will run every six minutes at peak hours,\" said Aiko Brandt, the agency's director.</p>\n</body></html>\n",
            "<html><body>\n<p>2024-04-06</p>\n<p>The northern rail extension cost 3.2 billion dollars and carries 16,000 riders a day, the transit agency said.</p>\n</body></html>\n",
        ],
        initial: Some(0),
    },
    SourceFile {
        rel: "sources/sub/ferry.txt",
        variants: &[
            "Ferry season\n2024-05-02\n\nThe ferry company carried 69,000 passengers in April, its director Joan Mercer said.\n\nAbout 45 percent of visitors to Valmora came by ferry this spring.\n",
            "Ferry season\n2024-05-03\n\nThe ferry company carried 96,000 passengers in April, its director Joan Mercer said.\n",
        ],
        initial: None,
    },
    SourceFile {
        rel: "sources/harvest.md",
        variants: &["# Harvest\n\nFarmers in the Oskel valley harvested 2,300 tonnes of barley this summer.\n"],
        initial: None,
    },
    // Unreadable (a NUL byte): skipped with a warning by the server and the CLI alike.
    SourceFile { rel: "sources/broken.txt", variants: &["binary\0file with 1,420 cargo ships\n"], initial: None },
    // Not a source (its extension): no one reads it.
    SourceFile { rel: "sources/table.csv", variants: &["ships,1420\n"], initial: None },
];

/// Whole sentences the edits insert (claims the corpus speaks to).
pub const SENTENCES: [&str; 9] = [
    "The port of Valmora handled 1,240 cargo ships in March.",
    "Dock workers unloaded 68,500 containers over the quarter.",
    "\"We will not raise berth fees this year,\" said Aiko Brandt.",
    "The Brenhill city council approved a budget of 412 million euros.",
    "Farmers in the Oskel valley harvested 3,200 tonnes of barley.",
    "The ferry company carried 69,000 passengers in April, Joan Mercer said.",
    "\"Trains will run every ten minutes at peak hours,\" said Aiko Brandt.",
    "About 45 percent of visitors came by ferry, officials said.",
    PROBE,
];

/// Pieces the edits insert: figures, words, and text that is hard on positions.
pub const PIECES: [&str; 40] = [
    "1,240",
    "1,420",
    "412",
    " million euros",
    "3.2 billion dollars",
    "18,000",
    "53",
    "😀",
    "👩‍🍳",
    "🇫🇮",
    "𝄞",
    "🚢🚢",
    "東京都",
    "港湾の",
    "e\u{301}",
    "\u{301}",
    "\u{200d}",
    "“",
    "”",
    "\"",
    "—",
    "\r\n",
    "\n",
    "\r",
    "\n\n",
    " ",
    "the ",
    "said ",
    ". ",
    "ships",
    "\t",
    "\u{2028}",
    "\u{85}",
    "ﬁ",
    "ß",
    "İ",
    "Ines Korhal",
    "he said",
    "# ",
    "> ",
];

/// Characters of random strings.
pub const ALPHABET: [char; 22] = [
    'a', 'e', 'o', 't', 'n', 's', ' ', '.', ',', '0', '1', '4', '9', '😀', '東', 'é', '\u{301}', '\n', '\r', '"', '𝄞',
    'ä',
];

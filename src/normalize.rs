//! What `ignoring case` and `ignoring spaces` do to text, defined once, character by
//! character, so that the checker (on literals), the reference evaluator, SQLite (through
//! functions seglang adds) and the SQL of every other engine (through `TRANSLATE` with these
//! tables) give the same answer whatever the engine's locale or collation
//! (docs/semantics.md, "Ignoring case and spaces").

use std::sync::OnceLock;

/// Which differences a text comparison ignores.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Normalize {
    /// Letters compare by [`fold_case`].
    pub case: bool,
    /// White space compares by [`collapse_spaces`].
    pub spaces: bool,
}

impl Normalize {
    /// Text compared as it is stored.
    pub const NONE: Normalize = Normalize {
        case: false,
        spaces: false,
    };

    /// Whether text is compared as stored.
    pub fn is_none(self) -> bool {
        self == Normalize::NONE
    }

    /// What either ignores.
    pub fn union(self, other: Normalize) -> Normalize {
        Normalize {
            case: self.case || other.case,
            spaces: self.spaces || other.spaces,
        }
    }

    /// `text` as the comparison reads it: as a [`Normalize::piece`], without spaces at
    /// either end when spaces are ignored (folding neither makes nor removes a space).
    pub fn apply(self, text: &str) -> String {
        let piece = self.piece(text);
        if self.spaces {
            piece.trim_matches(' ').to_string()
        } else {
            piece
        }
    }

    /// A piece of text looked for (`contains`, `starts with`, `ends with`) as the test reads
    /// it: folded like the text, and each run of white space one space, but not trimmed, so
    /// that `ends with ' nurse'` still asks for a space before `nurse`.
    pub fn piece(self, text: &str) -> String {
        let text = if self.spaces {
            collapse_runs(text)
        } else {
            text.to_string()
        };
        if self.case { fold_case(&text) } else { text }
    }

    /// The words after `ignoring` (`case and spaces`), as written in segment files.
    pub fn words(self) -> &'static str {
        match (self.case, self.spaces) {
            (true, true) => "case and spaces",
            (true, false) => "case",
            (false, true) => "spaces",
            (false, false) => "",
        }
    }
}

/// The white space `ignoring spaces` reads as a space: every character of Unicode's
/// `White_Space` property (tab, line breaks, the no-break space, the ideographic space, …).
pub const WHITE_SPACE: &str = "\t\n\u{b}\u{c}\r \u{85}\u{a0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\
    \u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";

/// As many spaces as [`WHITE_SPACE`] has characters: what `TRANSLATE` turns them into.
pub const SPACES: &str = "                         ";

/// The capital letters `ignoring case` folds, in code point order; each becomes the letter
/// at the same place in [`LOWER`]. They are the letters with a one-letter lowercase in
/// Unicode's simple case mapping within Basic Latin, Latin-1 Supplement, Latin Extended-A
/// and -B, Greek and Coptic, Cyrillic, and Latin Extended Additional (531 letters).
pub const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍ\
    ÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮ\
    İĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽƁ\
    ƂƄƆƇƉƊƋƎƏƐƑƓƔƖƗƘƜƝƟƠƢƤƦƧƩƬƮƯƱƲƳƵƷƸƼǄǅǇǈǊ\
    ǋǍǏǑǓǕǗǙǛǞǠǢǤǦǨǪǬǮǱǲǴǶǷǸǺǼǾȀȂȄȆȈȊȌȎȐȒȔȖȘ\
    ȚȜȞȠȢȤȦȨȪȬȮȰȲȺȻȽȾɁɃɄɅɆɈɊɌɎͰͲͶͿΆΈΉΊΌΎΏΑΒΓ\
    ΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩΪΫϏϘϚϜϞϠϢϤϦϨϪϬϮϴϷϹϺ\
    ϽϾϿЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏАБВГДЕЖЗИЙКЛМНОПРСТУФ\
    ХЦЧШЩЪЫЬЭЮЯѠѢѤѦѨѪѬѮѰѲѴѶѸѺѼѾҀҊҌҎҐҒҔҖҘҚҜҞҠ\
    ҢҤҦҨҪҬҮҰҲҴҶҸҺҼҾӀӁӃӅӇӉӋӍӐӒӔӖӘӚӜӞӠӢӤӦӨӪӬӮӰ\
    ӲӴӶӸӺӼӾḀḂḄḆḈḊḌḎḐḒḔḖḘḚḜḞḠḢḤḦḨḪḬḮḰḲḴḶḸḺḼḾṀ\
    ṂṄṆṈṊṌṎṐṒṔṖṘṚṜṞṠṢṤṦṨṪṬṮṰṲṴṶṸṺṼṾẀẂẄẆẈẊẌẎẐ\
    ẒẔẞẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨ\
    ỪỬỮỰỲỴỶỸỺỼỾ";

/// The lowercase of each letter of [`UPPER`], in the same order.
pub const LOWER: &str = "abcdefghijklmnopqrstuvwxyzàáâãäåæçèéêëìí\
    îïðñòóôõöøùúûüýþāăąćĉċčďđēĕėęěĝğġģĥħĩīĭį\
    iĳĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷÿźżžɓ\
    ƃƅɔƈɖɗƌǝəɛƒɠɣɩɨƙɯɲɵơƣƥʀƨʃƭʈưʊʋƴƶʒƹƽǆǆǉǉǌ\
    ǌǎǐǒǔǖǘǚǜǟǡǣǥǧǩǫǭǯǳǳǵƕƿǹǻǽǿȁȃȅȇȉȋȍȏȑȓȕȗș\
    țȝȟƞȣȥȧȩȫȭȯȱȳⱥȼƚⱦɂƀʉʌɇɉɋɍɏͱͳͷϳάέήίόύώαβγ\
    δεζηθικλμνξοπρστυφχψωϊϋϗϙϛϝϟϡϣϥϧϩϫϭϯθϸϲϻ\
    ͻͼͽѐёђѓєѕіїјљњћќѝўџабвгдежзийклмнопрстуф\
    хцчшщъыьэюяѡѣѥѧѩѫѭѯѱѳѵѷѹѻѽѿҁҋҍҏґғҕҗҙқҝҟҡ\
    ңҥҧҩҫҭүұҳҵҷҹһҽҿӏӂӄӆӈӊӌӎӑӓӕӗәӛӝӟӡӣӥӧөӫӭӯӱ\
    ӳӵӷӹӻӽӿḁḃḅḇḉḋḍḏḑḓḕḗḙḛḝḟḡḣḥḧḩḫḭḯḱḳḵḷḹḻḽḿṁ\
    ṃṅṇṉṋṍṏṑṓṕṗṙṛṝṟṡṣṥṧṩṫṭṯṱṳṵṷṹṻṽṿẁẃẅẇẉẋẍẏẑ\
    ẓẕßạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứ\
    ừửữựỳỵỷỹỻỽỿ";

/// Ranges of code points (first, last) whose lowercase in Unicode's simple mapping is the
/// table's: the table's blocks, combining accents, general punctuation, currency signs and
/// the ideographic space (none of which has a case). Text made only of these may be folded
/// by an engine's own Unicode `lower()` where that follows Unicode's simple mapping, which
/// is far faster than `TRANSLATE` with the table; other text goes through the table.
pub const TABLE_RANGES: &[(u32, u32)] = &[
    (0x0001, 0x024f),
    (0x0300, 0x04ff),
    (0x1e00, 0x1eff),
    (0x2000, 0x206f),
    (0x20a0, 0x20cf),
    (0x3000, 0x3000),
];

/// The name of the SQL function seglang adds to SQLite connections: `seg_fold_case(text)`.
pub const FOLD_CASE_FUNCTION: &str = "seg_fold_case";

/// The name of the SQL function seglang adds to SQLite connections:
/// `seg_collapse_spaces(text)`.
pub const COLLAPSE_SPACES_FUNCTION: &str = "seg_collapse_spaces";

/// `text` with every letter of [`UPPER`] replaced by its lowercase; every other character
/// (ß, Armenian, already lowercase letters) unchanged.
pub fn fold_case(text: &str) -> String {
    static TABLE: OnceLock<Vec<(char, char)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| UPPER.chars().zip(LOWER.chars()).collect());
    text.chars()
        .map(|c| match table.binary_search_by_key(&c, |&(upper, _)| upper) {
            Ok(at) => table[at].1,
            Err(_) => c,
        })
        .collect()
}

/// `text` with every run of [`WHITE_SPACE`] characters read as one space, and none at
/// either end: `"  Registered\u{a0}\tNurse "` is `"Registered Nurse"`.
pub fn collapse_spaces(text: &str) -> String {
    collapse_runs(text).trim_matches(' ').to_string()
}

/// `text` with every run of [`WHITE_SPACE`] characters read as one space.
fn collapse_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    for c in text.chars() {
        if WHITE_SPACE.contains(c) {
            if !in_run {
                out.push(' ');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_white_space_set_is_unicodes_white_space_property() {
        let expected: String = (0..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        assert_eq!(WHITE_SPACE, expected);
        assert_eq!(SPACES.chars().count(), WHITE_SPACE.chars().count());
        assert!(SPACES.chars().all(|c| c == ' '));
    }

    #[test]
    fn the_case_table_is_unicodes_simple_lowercase_in_the_named_blocks() {
        let blocks = [
            (0x0000, 0x007f),
            (0x0080, 0x00ff),
            (0x0100, 0x017f),
            (0x0180, 0x024f),
            (0x0370, 0x03ff),
            (0x0400, 0x04ff),
            (0x1e00, 0x1eff),
        ];
        let mut upper = String::new();
        let mut lower = String::new();
        for (first, last) in blocks {
            for c in (first..=last).filter_map(char::from_u32) {
                // İ is the one letter whose full lowercase (i + combining dot) differs from
                // its simple one (i).
                let folded: Vec<char> = if c == '\u{130}' {
                    vec!['i']
                } else {
                    c.to_lowercase().collect()
                };
                if let [one] = folded[..]
                    && one != c
                {
                    upper.push(c);
                    lower.push(one);
                }
            }
        }
        assert_eq!(UPPER, upper);
        assert_eq!(LOWER, lower);
        assert_eq!(UPPER.chars().count(), 531);
    }

    #[test]
    fn within_the_table_ranges_the_table_is_unicodes_simple_lowercase() {
        for &(first, last) in TABLE_RANGES {
            for c in (first..=last).filter_map(char::from_u32) {
                let simple: Vec<char> = c.to_lowercase().collect();
                let expected = match simple[..] {
                    [one] => one.to_string(),
                    _ => "i".to_string(), // İ: its simple lowercase
                };
                assert_eq!(fold_case(&c.to_string()), expected, "U+{:04X}", u32::from(c));
            }
        }
    }

    #[test]
    fn folding_is_one_letter_for_one() {
        assert_eq!(fold_case("ÉCOLE İstanbul STRAẞE Straße ΣΟΦΊΑ Москва"), "école istanbul straße straße σοφία москва");
        assert_eq!(fold_case("Ա"), "Ա", "Armenian is outside the table");
    }

    #[test]
    fn spaces_collapse_and_trim() {
        assert_eq!(collapse_spaces("\u{a0} Registered \t\u{3000}Nurse\n"), "Registered Nurse");
        assert_eq!(collapse_spaces(" \t "), "");
        assert_eq!(collapse_spaces("a\u{200b}b"), "a\u{200b}b", "a zero-width space is not white space");
    }

    #[test]
    fn both_apply_in_either_order() {
        let both = Normalize { case: true, spaces: true };
        assert_eq!(both.apply("  NURSE\u{a0} PRACTITIONER "), "nurse practitioner");
        assert_eq!(both.words(), "case and spaces");
        assert_eq!(both.piece("\t NURSE  "), " nurse ", "a piece keeps one space at each end");
    }
}

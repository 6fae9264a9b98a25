//! Finding a platform by the names owners use: its own name or any of its aliases (QBO, D365,
//! a bank Plaid reaches...), whole or begun, in any case and without accents, with a typo or
//! two ("Xeor", "quikbooks onlin"); ranked so the likely platform comes first, with the part
//! that matched, to show it. The page's grid searches with it, and the server decides with it
//! whether a search found nothing.

/// A case mapping: the caller's own (the browser's in the page, which keeps Unicode's tables
/// out of the bundle; Rust's on the server).
pub type LowerCase = fn(&str) -> String;

/// A text a card can be found by, folded for comparison: lower case, accents off, every
/// separator a space, one folded character for each character of the text (so a place in it
/// is a place in the text).
#[derive(Debug, Clone)]
struct Folded {
    chars: Vec<char>,
    /// Each word's start and end, in characters.
    words: Vec<(usize, usize)>,
    /// The word characters alone, and where each stands in `chars`.
    compact: Vec<char>,
    compact_at: Vec<usize>,
}

impl Folded {
    fn new(text: &str, lower_case: LowerCase) -> Self {
        let lower = lower_case(text);
        // A case mapping that changes the length (rare outside Latin scripts) loses the places,
        // not the match: the original's characters are folded one by one instead.
        let chars: Vec<char> = if lower.chars().count() == text.chars().count() {
            lower.chars().map(fold).collect()
        } else {
            text.chars().map(|c| fold(c.to_ascii_lowercase())).collect()
        };
        let mut words = Vec::new();
        let mut start = None;
        for (at, &c) in chars.iter().enumerate() {
            match (c == ' ', start) {
                (false, None) => start = Some(at),
                (true, Some(begun)) => {
                    words.push((begun, at));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(begun) = start {
            words.push((begun, chars.len()));
        }
        let compact_at: Vec<usize> = (0..chars.len()).filter(|&at| chars[at] != ' ').collect();
        let compact = compact_at.iter().map(|&at| chars[at]).collect();
        Self { chars, words, compact, compact_at }
    }

    fn word(&self, index: usize) -> &[char] {
        let (start, end) = self.words[index];
        &self.chars[start..end]
    }
}

/// A lower-case character with its accent taken off, or a space for a separator. Only Latin
/// letters are mapped (the languages the page speaks); anything else stays as it is.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        c if c.is_ascii_alphanumeric() => c,
        c if c.is_ascii() => ' ',
        '\u{a0}' | '‘' | '’' | '“' | '”' | '«' | '»' | '–' | '—' | '·' | '…' => ' ',
        c => c,
    }
}

/// What a query is compared as: its words and their characters run together.
#[derive(Debug)]
struct Query {
    words: Vec<Vec<char>>,
    compact: Vec<char>,
}

impl Query {
    fn new(text: &str, lower_case: LowerCase) -> Self {
        let folded = Folded::new(text, lower_case);
        let words = (0..folded.words.len()).map(|index| folded.word(index).to_vec()).collect();
        Self { words, compact: folded.compact }
    }
}

/// How well a text matched, best first: the whole of it, its start, a word's start, anywhere
/// in it; then with typos, the fewer the better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closeness {
    /// The text itself ("QBO" for QBO).
    Whole,
    /// The text's beginning ("quickb").
    Start,
    /// A word's beginning ("intacct" in "Sage Intacct").
    WordStart,
    /// Anywhere ("books").
    Inside,
    /// Each word of the query is a word of the text or begins one, in any order, with this many
    /// typos in all.
    Typos(u8),
}

impl Closeness {
    /// Its place among the others, best (0) first.
    fn rank(self) -> usize {
        match self {
            Self::Whole => 0,
            Self::Start => 1,
            Self::WordStart => 2,
            Self::Inside => 3,
            Self::Typos(typos) => 4 + usize::from(typos),
        }
    }
}

/// A card the search found, and where: the text that matched (its name, or an alias by its
/// place in the card's list) and the characters of it that did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The card's place in the grid.
    pub card: usize,
    /// How well it matched.
    pub closeness: Closeness,
    /// The alias that matched (its place in the card's aliases), or `None` for the name.
    pub alias: Option<usize>,
    /// The characters that matched, start and end, in the text that matched.
    pub span: (usize, usize),
}

/// Every card, in the grid's order, as a blank search finds them (no index needed).
pub fn every_card(count: usize) -> Vec<Found> {
    (0..count).map(|card| Found { card, closeness: Closeness::Whole, alias: None, span: (0, 0) }).collect()
}

/// The cards' names and aliases, folded once, searched on each keystroke.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    /// Per card: its name, then its aliases.
    cards: Vec<Vec<Folded>>,
    lower_case: LowerCase,
}

impl SearchIndex {
    /// Folds each card's name and aliases, in lower case by `lower_case`.
    pub fn new<'a>(cards: impl IntoIterator<Item = (&'a str, &'a [String])>, lower_case: LowerCase) -> Self {
        let cards = cards
            .into_iter()
            .map(|(name, aliases)| {
                std::iter::once(name)
                    .chain(aliases.iter().map(String::as_str))
                    .map(|text| Folded::new(text, lower_case))
                    .collect()
            })
            .collect();
        Self { cards, lower_case }
    }

    /// The grid's cards, by their names and aliases.
    pub fn of_cards(cards: &[crate::IntegrationCard], lower_case: LowerCase) -> Self {
        Self::new(cards.iter().map(|card| (card.name.as_str(), card.aliases.as_slice())), lower_case)
    }

    /// The cards matching `text`, best first (ties in the grid's order); every card, in order,
    /// for a blank search.
    pub fn find(&self, text: &str) -> Vec<Found> {
        let query = Query::new(text, self.lower_case);
        if query.compact.is_empty() {
            return every_card(self.cards.len());
        }
        let found: Vec<Found> = self
            .cards
            .iter()
            .enumerate()
            .filter_map(|(card, texts)| {
                // The best of its texts; the name wins a tie.
                texts
                    .iter()
                    .enumerate()
                    .filter_map(|(place, folded)| {
                        closeness(&query, folded).map(|(closeness, span)| Found {
                            card,
                            closeness,
                            alias: place.checked_sub(1),
                            span,
                        })
                    })
                    .min_by_key(|found| found.closeness.rank())
            })
            .collect();
        // Best first, ties in the grid's order: one pass per rank (a handful) rather than a
        // sort, whose code would cost the page's download more than these loops cost a keystroke.
        let worst = found.iter().map(|found| found.closeness.rank()).max().unwrap_or(0);
        (0..=worst)
            .flat_map(|rank| found.iter().filter(move |found| found.closeness.rank() == rank))
            .cloned()
            .collect()
    }
}

/// How `text` matches `query`, and the characters of it that do; `None` when it does not.
fn closeness(query: &Query, text: &Folded) -> Option<(Closeness, (usize, usize))> {
    let (q, t) = (&query.compact, &text.compact);
    if let Some(at) = t.windows(q.len()).position(|window| window == q.as_slice()) {
        let span = (text.compact_at[at], text.compact_at[at + q.len() - 1] + 1);
        let closeness = if at == 0 && q.len() == t.len() {
            Closeness::Whole
        } else if at == 0 {
            Closeness::Start
        } else if text.words.iter().any(|(start, _)| *start == span.0) {
            Closeness::WordStart
        } else {
            Closeness::Inside
        };
        return Some((closeness, span));
    }
    typos::with_typos(query, text)
}

/// `text` in three: before the characters of `span`, those, and after; all of it first when the
/// span is empty or does not fit (what the page shows with the middle part marked).
pub fn split_at_span(text: &str, span: (usize, usize)) -> [String; 3] {
    let chars: Vec<char> = text.chars().collect();
    let (start, end) = span;
    if start >= end || end > chars.len() {
        return [text.to_owned(), String::new(), String::new()];
    }
    let part = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    [part(0, start), part(start, end), part(end, chars.len())]
}

mod typos;

#[cfg(test)]
mod tests;

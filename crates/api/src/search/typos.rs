//! Matching with typos: each word of the query against the words of a text, whole or begun,
//! allowing fewer edits the shorter the word.

use super::{Closeness, Folded, Query};

/// Typos allowed in a word of the query: none in a short one, nor in one with a digit (a
/// number is the edition or the platform itself: "Sage 50" is not "Sage 200").
fn typos_allowed(word: &[char]) -> usize {
    if word.iter().any(char::is_ascii_digit) {
        return 0;
    }
    match word.len() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// Each query word matched to a word of the text (whole or begun) with few typos: the typos in
/// all, and the first matched word's characters.
pub(super) fn with_typos(query: &Query, text: &Folded) -> Option<(Closeness, (usize, usize))> {
    let mut total = 0;
    let mut first = None;
    for word in &query.words {
        let allowed = typos_allowed(word);
        let (typos, index) = (0..text.words.len())
            .map(|index| (prefix_distance(word, text.word(index)), index))
            .min()
            .filter(|(typos, _)| *typos <= allowed)?;
        total += typos;
        first.get_or_insert(text.words[index]);
    }
    let typos = u8::try_from(total).unwrap_or(u8::MAX);
    first.map(|span| (Closeness::Typos(typos), span))
}

/// The fewest edits (a character added, dropped, changed, or two swapped) that turn `word` into
/// `target` or into a beginning of it at least as long as `word` (less one for a word of five
/// letters or more: "quickboks" begins "quickbooks").
pub(super) fn prefix_distance(word: &[char], target: &[char]) -> usize {
    let shortest = if word.len() >= 5 { word.len() - 1 } else { word.len().max(1) };
    let longest = (word.len() + 1).min(target.len());
    if shortest > longest {
        return edit_distance(word, target);
    }
    (shortest..=longest).map(|end| edit_distance(word, &target[..end])).min().unwrap_or(usize::MAX)
}

/// The optimal string alignment distance between `a` and `b` (Damerau-Levenshtein, each
/// character edited once at most).
pub(super) fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in rows.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i * width] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[(i - 1) * width + j] + 1)
                .min(rows[i * width + j - 1] + 1)
                .min(rows[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[(i - 2) * width + j - 2] + 1);
            }
            rows[i * width + j] = best;
        }
    }
    rows[a.len() * width + b.len()]
}

//! Text into the sentences narration speaks one at a time: line breaks always end one; `.`,
//! `!`, `?` and ellipses end one when a space follows — but not after titles and Latin
//! abbreviations ("Dr.", "e.g."), initials ("J. R. R."), inside numbers ("3.5"), nor before
//! a lowercase word. Pieces without a letter or digit are dropped, and a sentence longer
//! than [`MAX_SENTENCE_CHARS`] is cut at commas, semicolons and dashes (then at spaces).

/// The longest piece handed to an engine, in characters.
pub const MAX_SENTENCE_CHARS: usize = 250;

/// Abbreviations (lowercase, without their final `.`) that never end a sentence: they
/// precede what they qualify.
const NEVER_FINAL: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "rev", "sgt", "capt", "lt", "e.g", "i.e", "vs",
    "cf", "approx", "pp",
];

/// Abbreviations that end a sentence only when a capitalised word follows.
const MAYBE_FINAL: &[&str] = &[
    "etc", "inc", "ltd", "co", "corp", "jr", "sr", "a.m", "p.m", "u.s", "u.k", "e.u", "ph.d",
];

/// Characters that end a sentence.
const TERMINATORS: &[char] = &['.', '!', '?', '…'];
/// Closing quotes and brackets that stay with the sentence they follow.
const CLOSERS: &[char] = &['"', '\'', ')', ']', '}', '”', '’', '»'];
/// Opening quotes and brackets skipped when reading the word before a full stop.
const OPENERS: &[char] = &['"', '\'', '(', '[', '{', '“', '‘', '«'];

/// The sentences of `text`, in order, each trimmed, with single spaces, at most
/// [`MAX_SENTENCE_CHARS`] long.
pub fn split_sentences(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .flat_map(|line| split_line(&line))
        .filter(|sentence| sentence.chars().any(char::is_alphanumeric))
        .flat_map(|sentence| cap_length(&sentence, MAX_SENTENCE_CHARS))
        .collect()
}

/// The sentences of one line (already single-spaced).
fn split_line(line: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        if !TERMINATORS.contains(&chars[i].1) {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < chars.len() && TERMINATORS.contains(&chars[i].1) {
            i += 1;
        }
        let run: String = chars[run_start..i].iter().map(|(_, c)| c).collect();
        while i < chars.len() && CLOSERS.contains(&chars[i].1) {
            i += 1;
        }
        // A boundary needs a space after the punctuation ("3.5", "example.com" have none).
        if i >= chars.len() || chars[i].1 != ' ' {
            continue;
        }
        let before = word_before(line, chars[run_start].0);
        let next = &line[chars[i].0 + 1..];
        if ends_sentence(&run, before, next) {
            sentences.push(line[start..chars[i].0].trim().to_owned());
            start = chars[i].0 + 1;
        }
    }
    sentences.push(line[start..].trim().to_owned());
    sentences.retain(|sentence| !sentence.is_empty());
    sentences
}

/// Whether the terminator run `run`, after the word `before` and followed by `next`, ends
/// a sentence.
fn ends_sentence(run: &str, before: &str, next: &str) -> bool {
    let next_is_capital = next
        .trim_start_matches(OPENERS)
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_numeric());
    if run.contains(['!', '?']) {
        return true;
    }
    if run != "." {
        // An ellipsis: a pause inside a thought unless a new sentence clearly starts.
        return next_is_capital;
    }
    let word = before.to_lowercase();
    if NEVER_FINAL.contains(&word.as_str()) {
        return false;
    }
    let mut letters = before.chars();
    let initial = letters.next().is_some_and(char::is_uppercase) && letters.next().is_none();
    if initial {
        return false;
    }
    if MAYBE_FINAL.contains(&word.as_str()) {
        return next_is_capital;
    }
    // "approx. five", "the U.N. said": an unknown abbreviation before a lowercase word.
    let next_is_lowercase = next
        .trim_start_matches(OPENERS)
        .chars()
        .next()
        .is_some_and(char::is_lowercase);
    !next_is_lowercase
}

/// The word that ends at byte `end` of `line`, opening quotes and brackets removed.
fn word_before(line: &str, end: usize) -> &str {
    let head = &line[..end];
    let start = head.rfind(' ').map_or(0, |space| space + 1);
    head[start..].trim_start_matches(OPENERS)
}

/// `sentence` cut into pieces of at most `max` characters: at clause punctuation first,
/// then at spaces, then anywhere (a long URL).
fn cap_length(sentence: &str, max: usize) -> Vec<String> {
    if sentence.chars().count() <= max {
        return vec![sentence.to_owned()];
    }
    let clauses = split_after(sentence, |c, next| {
        matches!(c, ',' | ';' | ':') && next == Some(' ') || matches!(c, '—' | '–')
    });
    let mut pieces = Vec::new();
    for clause in pack(&clauses, max) {
        if clause.chars().count() <= max {
            pieces.push(clause);
            continue;
        }
        let words = split_after(&clause, |c, _| c == ' ');
        for piece in pack(&words, max) {
            let chars: Vec<char> = piece.chars().collect();
            pieces.extend(
                chars
                    .chunks(max)
                    .map(|chunk| chunk.iter().collect::<String>()),
            );
        }
    }
    pieces
        .into_iter()
        .map(|piece| piece.trim().to_owned())
        .filter(|piece| piece.chars().any(char::is_alphanumeric))
        .collect()
}

/// `text` cut after every character for which `cut(char, next char)` holds.
fn split_after(text: &str, cut: impl Fn(char, Option<char>) -> bool) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if cut(c, chars.peek().map(|&(_, next)| next)) {
            let end = at + c.len_utf8();
            parts.push(&text[start..end]);
            start = end;
        }
    }
    parts.push(&text[start..]);
    parts.retain(|part| !part.trim().is_empty());
    parts
}

/// Consecutive `parts` joined into pieces of at most `max` characters where they fit.
fn pack(parts: &[&str], max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for part in parts {
        let part = part.trim();
        let joined = if current.is_empty() {
            part.chars().count()
        } else {
            current.chars().count() + 1 + part.chars().count()
        };
        if !current.is_empty() && joined > max {
            pieces.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(part);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<String> {
        split_sentences(text)
    }

    #[test]
    fn full_stops_questions_and_exclamations_end_sentences() {
        assert_eq!(
            split("Hello there. How are you? I am great!  Thanks."),
            ["Hello there.", "How are you?", "I am great!", "Thanks."]
        );
        assert_eq!(split("Really?! Yes."), ["Really?!", "Yes."]);
        assert_eq!(
            split("She said \"stop.\" Then she left."),
            ["She said \"stop.\"", "Then she left."]
        );
    }

    #[test]
    fn abbreviations_titles_initials_and_decimals_do_not() {
        assert_eq!(
            split("Dr. Smith met Mrs. Jones at 3.5 p.m. on Main St. today."),
            ["Dr. Smith met Mrs. Jones at 3.5 p.m. on Main St. today."]
        );
        assert_eq!(
            split("Use tools, e.g. hammers, i.e. heavy ones. Then rest."),
            ["Use tools, e.g. hammers, i.e. heavy ones.", "Then rest."]
        );
        assert_eq!(
            split("J. R. R. Tolkien wrote it. Version 2.0 shipped."),
            ["J. R. R. Tolkien wrote it.", "Version 2.0 shipped."]
        );
        assert_eq!(
            split("We sell apples, pears, etc. Come by. It costs approx. five dollars."),
            [
                "We sell apples, pears, etc.",
                "Come by.",
                "It costs approx. five dollars."
            ]
        );
        assert_eq!(
            split("Visit example.com. It works."),
            ["Visit example.com.", "It works."]
        );
    }

    #[test]
    fn ellipses_end_a_sentence_only_before_a_new_one() {
        assert_eq!(
            split("Wait... for it. So... We won… Really."),
            ["Wait... for it.", "So...", "We won…", "Really."]
        );
    }

    #[test]
    fn line_breaks_end_sentences_and_empty_pieces_are_dropped() {
        let post = "Big news 🎉\r\n\r\n- We shipped v2\n---\n  \n👉 Read more below!\n#launch";
        assert_eq!(
            split(post),
            [
                "Big news 🎉",
                "- We shipped v2",
                "👉 Read more below!",
                "#launch"
            ]
        );
        assert!(split("  \n ... \n🎉🎉").is_empty());
        assert!(split("").is_empty());
    }

    #[test]
    fn long_sentences_are_cut_at_clauses_then_spaces() {
        let clause = "the quick brown fox jumps over the lazy dog";
        let long = format!("{clause}, {clause}; {clause}, {clause}, {clause}, {clause} again.");
        let pieces = split(&long);
        assert!(pieces.len() > 1, "{pieces:?}");
        assert!(
            pieces
                .iter()
                .all(|p| p.chars().count() <= MAX_SENTENCE_CHARS)
        );
        assert!(
            pieces[0].ends_with(',') || pieces[0].ends_with(';'),
            "{pieces:?}"
        );
        assert_eq!(pieces.join(" "), long);

        let words = "word ".repeat(120);
        let pieces = split(words.trim());
        assert!(
            pieces
                .iter()
                .all(|p| p.chars().count() <= MAX_SENTENCE_CHARS)
        );
        assert_eq!(pieces.join(" "), words.trim());

        let url = format!("https://example.com/{}", "a".repeat(600));
        let pieces = split(&url);
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces.concat(), url);
    }

    #[test]
    fn numbers_with_thousands_separators_stay_whole() {
        assert_eq!(
            split("We raised 3,000.50 dollars. Thanks!"),
            ["We raised 3,000.50 dollars.", "Thanks!"]
        );
    }
}

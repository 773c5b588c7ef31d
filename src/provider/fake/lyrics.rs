//! The fake's "AI": plausible verse/chorus lyrics that mention the names found in the prompt,
//! and tags picked from the allow-list by the words of the prompt.

/// Capitalised words that start prompts or name things but are not people or pets.
const NOT_NAMES: &[&str] = &[
    "A",
    "An",
    "The",
    "I",
    "I'm",
    "My",
    "Our",
    "Your",
    "His",
    "Her",
    "Their",
    "It",
    "This",
    "That",
    "Valentine",
    "Valentines",
    "Valentine's",
    "Day",
    "Mention",
    "Create",
    "Write",
    "Make",
    "Compose",
    "Sing",
    "Song",
    "Love",
    "Please",
    "Include",
    "Use",
    "Heartfelt",
    "Pop",
    "Rock",
    "Dog",
    "Cat",
    "And",
    "With",
    "For",
    "To",
    "Of",
    "In",
    "On",
];

/// Names in the prompt: double-quoted values when the prompt has any (a prompt that fences
/// its names off as data), otherwise capitalised words that do not open a sentence (unless
/// followed by "and"/"&"), without possessive `'s`, in order of appearance.
pub fn names_in(prompt: &str) -> Vec<String> {
    let quoted: Vec<String> = prompt
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::trim)
        .filter(|value| !value.is_empty() && value.chars().count() <= 100)
        .map(str::to_owned)
        .collect();
    if !quoted.is_empty() {
        return quoted;
    }
    let tokens: Vec<&str> = prompt.split_whitespace().collect();
    let mut names: Vec<String> = Vec::new();
    let mut sentence_start = true;
    for (index, token) in tokens.iter().enumerate() {
        let word = clean_word(token);
        let opens_sentence = sentence_start;
        sentence_start = token.ends_with(['.', '!', '?', ':', ';']);
        if !word.starts_with(|c: char| c.is_uppercase()) || NOT_NAMES.contains(&word.as_str()) {
            continue;
        }
        let followed_by_and = tokens
            .get(index + 1)
            .is_some_and(|next| matches!(*next, "and" | "&"));
        if opens_sentence && !followed_by_and {
            continue;
        }
        if !names.contains(&word) {
            names.push(word);
        }
    }
    names
}

fn clean_word(token: &str) -> String {
    let trimmed = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’');
    let trimmed = trimmed.trim_matches(['\'', '’']);
    let without_possessive = trimmed
        .strip_suffix("'s")
        .or_else(|| trimmed.strip_suffix("’s"))
        .unwrap_or(trimmed);
    without_possessive.to_owned()
}

/// Lyrics for a song about the names in `prompt` (two stand-ins when it names nobody).
pub fn write_lyrics(prompt: &str) -> String {
    let names = names_in(prompt);
    let first = names.first().map_or("my darling", String::as_str);
    let second = names.get(1).map_or("you", String::as_str);
    format!(
        "[Verse 1]\n\
         Morning light across the kitchen floor,\n\
         {first} is waiting by the door.\n\
         Every walk with {second} feels like spring,\n\
         you make this ordinary heart of mine sing.\n\
         \n\
         [Chorus]\n\
         {first} and {second}, best friends down the line,\n\
         paws and hands together, you're my valentine.\n\
         Through the rain and every sunny day,\n\
         {first} and {second}, love will find the way.\n\
         \n\
         [Verse 2]\n\
         Muddy boots and a wagging tail,\n\
         {second} beside me, we will never fail.\n\
         Little moments, {first}, that I keep,\n\
         curled up together when the world's asleep.\n\
         \n\
         [Chorus]\n\
         {first} and {second}, best friends down the line,\n\
         paws and hands together, you're my valentine.\n\
         \n\
         [Outro]\n\
         {first} and {second}, forever mine."
    )
}

/// Tags "generated" from the prompt: allowed tags whose words all appear in it, else the
/// first allowed of `pop`/`romantic`, else the first allowed tag.
pub fn pick_tags(prompt: &str, allowed: &[String]) -> Vec<String> {
    let words: Vec<String> = prompt
        .split(|c: char| !c.is_alphanumeric() && c != '&' && c != '-')
        .filter(|word| !word.is_empty())
        .flat_map(|word| {
            // "acoustic-pop" counts as itself and as "acoustic" and "pop".
            let parts = word
                .split('-')
                .filter(move |part| !part.is_empty() && *part != word);
            std::iter::once(word).chain(parts)
        })
        .map(str::to_lowercase)
        .collect();
    let mentioned: Vec<String> = allowed
        .iter()
        .filter(|tag| {
            tag.split_whitespace()
                .all(|part| words.iter().any(|word| word == &part.to_lowercase()))
        })
        .take(4)
        .cloned()
        .collect();
    if !mentioned.is_empty() {
        return mentioned;
    }
    let fallback: Vec<String> = allowed
        .iter()
        .filter(|tag| matches!(tag.as_str(), "pop" | "romantic"))
        .cloned()
        .collect();
    if fallback.is_empty() {
        allowed.iter().take(1).cloned().collect()
    } else {
        fallback
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_names_in_typical_prompts() {
        assert_eq!(names_in("a love song for Matt and Toby"), ["Matt", "Toby"]);
        assert_eq!(
            names_in(
                "Heartfelt, romantic acoustic-pop Valentine's love song celebrating Matt and \
                 his dog Toby. Mention both names in the lyrics."
            ),
            ["Matt", "Toby"]
        );
        assert_eq!(names_in("Matt and Luna's song"), ["Matt", "Luna"]);
        assert_eq!(
            names_in("Owner's name: \"Matt\". Dog's name: \"Toby\"."),
            ["Matt", "Toby"]
        );
        assert!(names_in("a happy song").is_empty());
    }

    #[test]
    fn lyrics_mention_both_names_in_sections() {
        let lyrics = write_lyrics("a love song for Matt and Toby");
        assert!(lyrics.contains("[Chorus]") && lyrics.contains("[Verse 1]"));
        assert!(lyrics.contains("Matt and Toby"));
    }

    #[test]
    fn tags_come_from_the_allow_list() {
        let allowed: Vec<String> = ["pop", "acoustic", "romantic", "male vocalist"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            pick_tags("Romantic acoustic-pop song, male vocalist", &allowed),
            ["pop", "acoustic", "romantic", "male vocalist"]
        );
        assert_eq!(pick_tags("something", &allowed), ["pop", "romantic"]);
    }
}

use super::*;

#[test]
fn look_alike_usernames_have_one_canonical_form_or_are_refused() {
    assert_eq!(canonical("Alice").as_deref(), Ok("alice"));
    assert_eq!(canonical("  alice ").as_deref(), Ok("alice"));
    // NFD and NFC spellings of é are one name.
    assert_eq!(canonical("jose\u{301}"), canonical("jos\u{e9}"));
    // Fullwidth letters map to their ASCII forms.
    assert_eq!(canonical("\u{FF41}lice").as_deref(), Ok("alice"));
    // The Kelvin sign (U+212A), a look-alike of K, has a compatibility decomposition, which
    // the IdentifierClass disallows (RFC 8264 §9.17, HasCompat); so do zero-width and bidi
    // characters, spaces and controls.
    for refused in ["\u{212A}im", "ali\u{200B}ce", "ali\u{202E}ce", "ali ce", "", "ali\u{0007}ce"] {
        assert_eq!(canonical(refused), Err(UsernameError::Disallowed), "{refused:?}");
    }
    assert_eq!(canonical(&"a".repeat(MAX_USERNAME_CHARS)).map(|n| n.len()), Ok(MAX_USERNAME_CHARS));
    assert_eq!(canonical(&"a".repeat(MAX_USERNAME_CHARS + 1)), Err(UsernameError::TooLong));
}

//! The display-filter tokenizer, written with winnow: words (field names, keywords and unquoted
//! literals such as `10.0.0.0/8`, `aa:bb:cc`, `0x1f`), quoted strings with escapes, raw strings,
//! character constants and punctuation, each with its byte span in the filter text.

use std::ops::Range;

use winnow::ascii::multispace0;
use winnow::combinator::{alt, delimited, not, preceded, repeat};
use winnow::error::{ContextError, ErrMode};
use winnow::prelude::*;
use winnow::stream::{LocatingSlice, Location};
use winnow::token::{any, none_of, one_of, take_while};

use super::error::FilterError;

/// Input of the tokenizer: the filter text, tracking offsets.
type Input<'i> = LocatingSlice<&'i str>;

/// Punctuation and operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Punct {
    /// `===`
    AllEq,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `~=`
    AnyNe,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `^^`
    XorXor,
    /// `!`
    Bang,
    /// `~` (matches)
    Tilde,
    /// `&` (bitwise and)
    Amp,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `,`
    Comma,
    /// `..`
    DotDot,
    /// `[` (slices: not supported)
    LBracket,
    /// Any other single character Wireshark's grammar uses (`]`, `+`, `*`, `|`, `^`, `$`, `@`,
    /// `%`, `=`, …): always unexpected here.
    Other,
}

/// A token's kind and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// An unquoted word: field or protocol name, keyword or literal.
    Word(String),
    /// A quoted string's bytes (escapes resolved); `raw` for `r"..."`.
    Str {
        /// The bytes.
        bytes: Vec<u8>,
        /// Written as a raw string.
        raw: bool,
    },
    /// A character constant `'a'`, `'\x41'`: an integer.
    Char(u64),
    /// Punctuation.
    Punct(Punct),
}

/// A token with its byte span in the filter text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Byte range in the filter text.
    pub span: Range<usize>,
}

/// Splits `text` into tokens, or reports the first character no token starts with.
pub fn tokenize(text: &str) -> Result<Vec<Token>, FilterError> {
    let mut input = LocatingSlice::new(text);
    let mut tokens = Vec::new();
    loop {
        let _: Result<&str, ErrMode<ContextError>> = multispace0.parse_next(&mut input);
        if input.is_empty() {
            return Ok(tokens);
        }
        let start = input.current_token_start();
        match token.with_span().parse_next(&mut input) {
            Ok((kind, span)) => tokens.push(Token { kind, span }),
            Err(_) => {
                let rest = text.get(start..).unwrap_or("");
                let first = rest.chars().next().map_or(0, char::len_utf8);
                let end = if rest.starts_with('"') || rest.starts_with("r\"") {
                    text.len()
                } else {
                    start + first
                };
                let what = text.get(start..end).unwrap_or("");
                let message = if rest.starts_with('"') || rest.starts_with("r\"") {
                    "The string was not terminated, or has an invalid escape.".to_string()
                } else {
                    format!("\"{what}\" was unexpected in this context.")
                };
                return Err(FilterError::at(text, start, end, message));
            }
        }
    }
}

/// One token.
fn token(input: &mut Input<'_>) -> ModalResult<TokenKind> {
    alt((
        raw_string,
        quoted_string,
        char_constant,
        punct.map(TokenKind::Punct),
        word.map(|w: &str| TokenKind::Word(w.to_owned())),
    ))
    .parse_next(input)
}

/// Characters of unquoted words (a `.` followed by another `.` ends a word: `1..5`).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '/')
}

/// An unquoted word.
fn word<'i>(input: &mut Input<'i>) -> ModalResult<&'i str> {
    repeat::<_, _, (), _, _>(
        1..,
        alt((take_while(1.., is_word_char).void(), ('.', not('.')).void())),
    )
    .take()
    .parse_next(input)
}

/// Operators and punctuation (longest first).
fn punct(input: &mut Input<'_>) -> ModalResult<Punct> {
    alt((
        alt((
            "===".value(Punct::AllEq),
            "==".value(Punct::Eq),
            "!=".value(Punct::Ne),
            "~=".value(Punct::AnyNe),
            "<=".value(Punct::Le),
            ">=".value(Punct::Ge),
            "&&".value(Punct::AndAnd),
            "||".value(Punct::OrOr),
        )),
        alt(("^^".value(Punct::XorXor), "..".value(Punct::DotDot))),
        alt((
            '<'.value(Punct::Lt),
            '>'.value(Punct::Gt),
            '!'.value(Punct::Bang),
            '~'.value(Punct::Tilde),
            '&'.value(Punct::Amp),
        )),
        alt((
            '('.value(Punct::LParen),
            ')'.value(Punct::RParen),
            '{'.value(Punct::LBrace),
            '}'.value(Punct::RBrace),
            ','.value(Punct::Comma),
            '['.value(Punct::LBracket),
            one_of(|c: char| "]+*|^$@%=#;?\\`".contains(c)).value(Punct::Other),
        )),
    ))
    .parse_next(input)
}

/// `r"..."`: no escapes.
fn raw_string(input: &mut Input<'_>) -> ModalResult<TokenKind> {
    preceded('r', delimited('"', take_while(0.., |c| c != '"'), '"'))
        .map(|s: &str| TokenKind::Str {
            bytes: s.as_bytes().to_vec(),
            raw: true,
        })
        .parse_next(input)
}

/// `"..."` with C-like escapes (`\\ \" \n \t \r \a \b \f \v \xhh \ooo`).
fn quoted_string(input: &mut Input<'_>) -> ModalResult<TokenKind> {
    delimited(
        '"',
        repeat(0.., string_piece).fold(Vec::new, |mut acc: Vec<u8>, piece: Piece| {
            match piece {
                Piece::Char(c) => {
                    let mut buf = [0u8; 4];
                    acc.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                Piece::Byte(b) => acc.push(b),
            }
            acc
        }),
        '"',
    )
    .map(|bytes| TokenKind::Str { bytes, raw: false })
    .parse_next(input)
}

/// A piece of a quoted string.
#[derive(Clone, Copy)]
enum Piece {
    Char(char),
    Byte(u8),
}

/// An unescaped character or an escape sequence.
fn string_piece(input: &mut Input<'_>) -> ModalResult<Piece> {
    alt((
        none_of(['"', '\\']).map(Piece::Char),
        preceded('\\', escape).map(Piece::Byte),
    ))
    .parse_next(input)
}

/// The escape after a backslash, as a byte.
fn escape(input: &mut Input<'_>) -> ModalResult<u8> {
    alt((
        preceded('x', take_while(1..=2, |c: char| c.is_ascii_hexdigit()))
            .try_map(|h: &str| u8::from_str_radix(h, 16)),
        take_while(1..=3, |c: char| matches!(c, '0'..='7')).verify_map(|o: &str| {
            u32::from_str_radix(o, 8)
                .ok()
                .and_then(|v| u8::try_from(v).ok())
        }),
        any.verify_map(|c: char| match c {
            'n' => Some(b'\n'),
            't' => Some(b'\t'),
            'r' => Some(b'\r'),
            'a' => Some(0x07),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'v' => Some(0x0b),
            '\\' | '"' | '\'' => u8::try_from(c).ok(),
            _ => None,
        }),
    ))
    .parse_next(input)
}

/// `'a'`, `'\n'`, `'\x41'`, `'\101'`: a character constant, as its code.
fn char_constant(input: &mut Input<'_>) -> ModalResult<TokenKind> {
    delimited(
        '\'',
        alt((
            preceded('\\', escape).map(u64::from),
            none_of(['\'', '\\']).map(|c: char| u64::from(u32::from(c))),
        )),
        '\'',
    )
    .map(TokenKind::Char)
    .parse_next(input)
}

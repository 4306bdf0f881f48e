//! Turns the syntax tree into the typed tree the evaluator runs: names resolved to fields or
//! protocols, literals converted for the field they meet, regexes compiled, types checked — with
//! tshark's messages at the offending token.

use super::error::FilterError;
use super::lexer::TokenKind;
use super::literal::{self, kind_name, Literal, LiteralForm};
use super::names::{resolve, FieldRef, Name};
use super::syntax::{Atom, Expr, Operand, RelOp, SetElement, Test};
use crate::fields::FieldKind;

/// Where a test's values come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A field, optionally `& mask`.
    Field {
        /// The field.
        field: FieldRef,
        /// Bitwise-and mask applied to each value.
        mask: Option<u64>,
    },
    /// A protocol (existence; bytes for `contains` / `matches`).
    Protocol(&'static str),
}

/// The right side of a comparison.
#[derive(Clone, Debug)]
pub enum Rhs {
    /// A literal.
    Literal(Literal),
    /// Another field (field-to-field comparison).
    Field(Source),
}

/// The compiled, typed filter tree.
#[derive(Clone, Debug)]
pub enum Node {
    /// `a or b`
    Or(Box<Node>, Box<Node>),
    /// `a xor b`
    Xor(Box<Node>, Box<Node>),
    /// `a and b`
    And(Box<Node>, Box<Node>),
    /// `not a`
    Not(Box<Node>),
    /// The source has at least one value (the protocol is present).
    Exists(Source),
    /// A relation between values.
    Compare {
        /// Left values.
        lhs: Source,
        /// Operator (never `Contains` / `Matches`).
        op: RelOp,
        /// Right values.
        rhs: Rhs,
    },
    /// Some value contains these bytes.
    Contains {
        /// Left values.
        lhs: Source,
        /// The bytes searched for.
        needle: Vec<u8>,
    },
    /// Some value matches the regex.
    Matches {
        /// Left values.
        lhs: Source,
        /// The compiled regex (over bytes, Unicode-aware).
        regex: regex::bytes::Regex,
    },
    /// Some value is in the set (`negated`: none is, or the field is absent).
    In {
        /// Left values.
        lhs: Source,
        /// `not in`.
        negated: bool,
        /// Values and inclusive ranges.
        set: Vec<(Literal, Option<Literal>)>,
    },
}

/// Compiles the parsed expression.
pub fn compile(text: &str, e: &Expr) -> Result<Node, FilterError> {
    Ok(match e {
        Expr::Or(a, b) => Node::Or(Box::new(compile(text, a)?), Box::new(compile(text, b)?)),
        Expr::Xor(a, b) => Node::Xor(Box::new(compile(text, a)?), Box::new(compile(text, b)?)),
        Expr::And(a, b) => Node::And(Box::new(compile(text, a)?), Box::new(compile(text, b)?)),
        Expr::Not(a) => Node::Not(Box::new(compile(text, a)?)),
        Expr::Test(t) => test(text, t)?,
    })
}

/// The error for an atom.
fn err(text: &str, atom: &Atom, message: String) -> FilterError {
    FilterError::at(text, atom.span.start, atom.span.end, message)
}

/// The atom's source text.
fn source_text<'t>(text: &'t str, atom: &Atom) -> &'t str {
    text.get(atom.span.clone()).unwrap_or("")
}

/// Resolves an atom that names a field or protocol.
fn name_of(atom: &Atom) -> Option<Name> {
    match &atom.kind {
        TokenKind::Word(w) => resolve(w),
        _ => None,
    }
}

/// The left side of a test: must be a field or protocol.
fn lhs_source(text: &str, op: &Operand, relation: Option<&str>) -> Result<Source, FilterError> {
    let name = name_of(&op.atom).ok_or_else(|| {
        let t = source_text(text, &op.atom);
        let message = match (relation, &op.atom.kind) {
            (Some(rel), TokenKind::Word(w)) if resolve(w).is_none() && looks_literal(w) => {
                format!("Left side of \"{rel}\" expression must be a field or function, not {t}.")
            }
            (_, TokenKind::Str { bytes, .. }) => format!(
                "\"{}\" is neither a field nor a protocol name.",
                String::from_utf8_lossy(bytes)
            ),
            _ => format!("{t} is neither a field nor a protocol name."),
        };
        err(text, &op.atom, message)
    })?;
    source(text, name, op)
}

/// Whether an unknown word is more likely a value than a misspelt field name.
fn looks_literal(w: &str) -> bool {
    w.chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '-')
}

/// The source for a resolved name with the operand's mask.
fn source(text: &str, name: Name, op: &Operand) -> Result<Source, FilterError> {
    match name {
        Name::Protocol(p) => {
            if let Some(m) = &op.mask {
                return Err(err(
                    text,
                    m,
                    format!("{p} (type=Protocol) cannot participate in bitwise and."),
                ));
            }
            Ok(Source::Protocol(p))
        }
        Name::Field(field) => {
            let mask = match &op.mask {
                None => None,
                Some(m) => {
                    if !matches!(field.kind(), Some(FieldKind::Unsigned { .. })) {
                        return Err(err(
                            text,
                            &op.atom,
                            format!(
                                "{} is not an integer field: it cannot be masked.",
                                source_text(text, &op.atom)
                            ),
                        ));
                    }
                    let v = match &m.kind {
                        TokenKind::Word(w) => literal::integer(w),
                        TokenKind::Char(c) => Some(i128::from(*c)),
                        _ => None,
                    }
                    .and_then(|v| u64::try_from(v).ok())
                    .ok_or_else(|| {
                        err(
                            text,
                            m,
                            format!("\"{}\" is not a valid number.", source_text(text, m)),
                        )
                    })?;
                    Some(v)
                }
            };
            Ok(Source::Field { field, mask })
        }
    }
}

/// The type of a source's values (`None`: a protocol or label).
fn source_kind(s: &Source) -> Option<FieldKind> {
    match s {
        Source::Field { field, .. } => field.kind(),
        Source::Protocol(_) => None,
    }
}

/// A literal atom converted for `kind`.
fn literal_for(text: &str, atom: &Atom, kind: FieldKind) -> Result<Literal, FilterError> {
    let form = match &atom.kind {
        TokenKind::Word(w) => LiteralForm::Word(w),
        TokenKind::Str { bytes, .. } => LiteralForm::Quoted(bytes),
        TokenKind::Char(c) => LiteralForm::Char(*c),
        TokenKind::Punct(_) => LiteralForm::Word(""),
    };
    literal::convert(form, kind).map_err(|m| err(text, atom, m))
}

/// The operator as written, for messages.
fn op_text<'t>(text: &'t str, span: &std::ops::Range<usize>) -> &'t str {
    text.get(span.clone()).unwrap_or("")
}

/// Compiles one test.
fn test(text: &str, t: &Test) -> Result<Node, FilterError> {
    match t {
        Test::Exists(op) => {
            if let TokenKind::Word(w) = &op.atom.kind {
                if resolve(w).is_none() {
                    return Err(err(
                        text,
                        &op.atom,
                        format!("{w} is neither a field nor a protocol name."),
                    ));
                }
            }
            let lhs = lhs_source(text, op, None)?;
            if let (Source::Field { mask: Some(_), .. }, Some(_)) = (&lhs, &op.mask) {
                // `field & mask` alone: some masked value is non-zero.
                return Ok(Node::Compare {
                    lhs,
                    op: RelOp::AnyNe,
                    rhs: Rhs::Literal(Literal::Integer(0)),
                });
            }
            Ok(Node::Exists(lhs))
        }
        Test::Compare { lhs, op, rhs } => {
            let rel = op_text(text, &op.1);
            let left = lhs_source(text, lhs, Some(rel))?;
            match op.0 {
                RelOp::Contains => contains(text, left, lhs, rhs),
                RelOp::Matches => matches(text, left, lhs, rhs),
                relop => compare(text, left, lhs, relop, rel, rhs),
            }
        }
        Test::In { lhs, negated, set } => {
            let left = lhs_source(text, lhs, Some("in"))?;
            let kind = source_kind(&left).ok_or_else(|| {
                err(
                    text,
                    &lhs.atom,
                    format!(
                        "{} cannot participate in a set membership test.",
                        source_text(text, &lhs.atom)
                    ),
                )
            })?;
            let set = set
                .iter()
                .map(|SetElement { low, high }| {
                    let lo = literal_for(text, low, kind)?;
                    let hi = high
                        .as_ref()
                        .map(|h| literal_for(text, h, kind))
                        .transpose()?;
                    Ok((lo, hi))
                })
                .collect::<Result<Vec<_>, FilterError>>()?;
            Ok(Node::In {
                lhs: left,
                negated: *negated,
                set,
            })
        }
    }
}

/// `lhs OP rhs` for the ordering and equality operators.
fn compare(
    text: &str,
    left: Source,
    lhs: &Operand,
    op: RelOp,
    rel: &str,
    rhs: &Operand,
) -> Result<Node, FilterError> {
    let Some(kind) = source_kind(&left) else {
        let what = match left {
            Source::Protocol(_) => "Protocol",
            Source::Field { .. } => "Label",
        };
        return Err(err(
            text,
            &lhs.atom,
            format!(
                "{} (type={what}) cannot participate in '{rel}' comparison.",
                source_text(text, &lhs.atom)
            ),
        ));
    };
    // A word naming a field or protocol is a field reference, as in tshark.
    if let Some(name) = name_of(&rhs.atom) {
        let right = source(text, name, rhs)?;
        let compatible = match (kind, source_kind(&right)) {
            (FieldKind::Unsigned { .. }, Some(FieldKind::Unsigned { .. })) => true,
            (a, Some(b)) => a == b,
            (_, None) => false,
        };
        if !compatible {
            return Err(err(
                text,
                &rhs.atom,
                format!(
                    "{} and {} are not of compatible types.",
                    source_text(text, &lhs.atom),
                    source_text(text, &rhs.atom)
                ),
            ));
        }
        return Ok(Node::Compare {
            lhs: left,
            op,
            rhs: Rhs::Field(right),
        });
    }
    if let Some(m) = &rhs.mask {
        return Err(err(
            text,
            m,
            "Only a field can be masked with \"&\".".into(),
        ));
    }
    let lit = literal_for(text, &rhs.atom, kind)?;
    Ok(Node::Compare {
        lhs: left,
        op,
        rhs: Rhs::Literal(lit),
    })
}

/// `lhs contains rhs`: strings, MAC addresses and protocol bytes.
fn contains(text: &str, left: Source, lhs: &Operand, rhs: &Operand) -> Result<Node, FilterError> {
    let needle = match (&left, source_kind(&left)) {
        (_, Some(FieldKind::String)) => match literal_for(text, &rhs.atom, FieldKind::String)? {
            Literal::Bytes(b) => b,
            _ => Vec::new(),
        },
        (Source::Protocol(_), _) | (_, Some(FieldKind::Ether)) => bytes_operand(text, &rhs.atom)?,
        (_, other) => {
            return Err(err(
                text,
                &lhs.atom,
                format!(
                    "{} (type={}) cannot participate in 'contains' comparison.",
                    source_text(text, &lhs.atom),
                    other.map_or("Label", kind_name)
                ),
            ))
        }
    };
    protocol_supports_bytes(text, &left, lhs)?;
    Ok(Node::Contains { lhs: left, needle })
}

/// A byte-string operand: a quoted string, a character constant or `aa:bb:cc`.
fn bytes_operand(text: &str, atom: &Atom) -> Result<Vec<u8>, FilterError> {
    match &atom.kind {
        TokenKind::Str { bytes, .. } => Ok(bytes.clone()),
        TokenKind::Char(c) => u8::try_from(*c).map(|b| vec![b]).map_err(|_| {
            err(
                text,
                atom,
                "Character constant is too big for a byte.".into(),
            )
        }),
        TokenKind::Word(w) => literal::byte_string(w)
            .ok_or_else(|| err(text, atom, format!("\"{w}\" is not a valid byte string."))),
        TokenKind::Punct(_) => Err(err(text, atom, "Expected a value.".into())),
    }
}

/// `lhs matches "regex"`: strings and protocol bytes.
fn matches(text: &str, left: Source, lhs: &Operand, rhs: &Operand) -> Result<Node, FilterError> {
    match (&left, source_kind(&left)) {
        (Source::Protocol(_), _) | (_, Some(FieldKind::String)) => {}
        (_, other) => {
            return Err(err(
                text,
                &lhs.atom,
                format!(
                    "{} (type={}) cannot participate in matches comparison.",
                    source_text(text, &lhs.atom),
                    other.map_or("Label", kind_name)
                ),
            ))
        }
    }
    protocol_supports_bytes(text, &left, lhs)?;
    let pattern = match &rhs.atom.kind {
        TokenKind::Str { bytes, .. } => String::from_utf8_lossy(bytes).into_owned(),
        _ => {
            return Err(err(
                text,
                &rhs.atom,
                format!(
                    "Expected a quoted string for the regular expression, not {}.",
                    source_text(text, &rhs.atom)
                ),
            ))
        }
    };
    // tshark 4.0 matches case-insensitively by default (the corpus filter `frame matches
    // "GET /[a-z]+"` selects "GET /CERTSRV"); `(?-i)` opts out. The bytes regex searches raw
    // bytes, so binary payload does not stop a match.
    let regex = regex::bytes::RegexBuilder::new(&pattern)
        .case_insensitive(true)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| err(text, &rhs.atom, format!("{e}")))?;
    Ok(Node::Matches { lhs: left, regex })
}

/// Protocols whose bytes this engine can search: `frame`, `tcp`, `udp`.
fn protocol_supports_bytes(text: &str, left: &Source, lhs: &Operand) -> Result<(), FilterError> {
    match left {
        Source::Protocol(p) if !matches!(*p, "frame" | "tcp" | "udp") => Err(err(
            text,
            &lhs.atom,
            format!("tracematch can only search the bytes of frame, tcp and udp, not {p}."),
        )),
        _ => Ok(()),
    }
}

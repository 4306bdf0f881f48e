//! The display-filter grammar over the tokens of [`super::lexer`]: a syntax tree with spans.
//!
//! Precedence as in tshark (lowest first): `or` / `||`, `xor` / `^^` (Wireshark 4.2), `and` /
//! `&&`, then the prefix `not` / `!`. A test is an operand alone (existence), `operand RELOP
//! operand`, `operand [not] in {set}`, where an operand is a word, string or character constant,
//! optionally masked with `& value`. Chained relations (`a == b == c`) are rejected like tshark.

use std::ops::Range;

use super::error::FilterError;
use super::lexer::{Punct, Token, TokenKind};

/// A parsed filter expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
    /// `a xor b`
    Xor(Box<Expr>, Box<Expr>),
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `not a`
    Not(Box<Expr>),
    /// A test.
    Test(Test),
}

/// A relational operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelOp {
    /// `==`, `eq`, `any_eq`
    AnyEq,
    /// `===`, `all_eq`
    AllEq,
    /// `!=`, `ne`, `all_ne` (tshark 4.0: no value equals)
    AllNe,
    /// `~=`, `any_ne`
    AnyNe,
    /// `<`, `lt`
    Lt,
    /// `<=`, `le`
    Le,
    /// `>`, `gt`
    Gt,
    /// `>=`, `ge`
    Ge,
    /// `contains`
    Contains,
    /// `matches`, `~`
    Matches,
}

/// An atom: what a word, string or character constant says, with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Atom {
    /// The token value.
    pub kind: TokenKind,
    /// Byte range in the filter.
    pub span: Range<usize>,
}

/// An operand: an atom, optionally `& mask`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operand {
    /// The value or field.
    pub atom: Atom,
    /// `& mask`.
    pub mask: Option<Atom>,
}

/// One element of a set: a value or an inclusive range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetElement {
    /// The value (or the range's low end).
    pub low: Atom,
    /// The range's high end.
    pub high: Option<Atom>,
}

/// A test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Test {
    /// A field or protocol alone: it exists in the frame.
    Exists(Operand),
    /// `lhs op rhs`.
    Compare {
        /// Left side.
        lhs: Operand,
        /// Operator and its span.
        op: (RelOp, Range<usize>),
        /// Right side.
        rhs: Operand,
    },
    /// `lhs [not] in {...}`.
    In {
        /// Left side.
        lhs: Operand,
        /// `not in`.
        negated: bool,
        /// Elements.
        set: Vec<SetElement>,
    },
}

/// Parses the tokens of `text` into an expression.
pub fn parse(text: &str, tokens: &[Token]) -> Result<Expr, FilterError> {
    let mut p = Parser {
        text,
        tokens,
        pos: 0,
        depth: 0,
    };
    let e = p.or()?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(p.unexpected(t)),
    }
}

/// Nesting bound (parentheses, `not`) so hostile filters cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// Recursive-descent state over the tokens.
struct Parser<'a> {
    text: &'a str,
    tokens: &'a [Token],
    pos: usize,
    depth: usize,
}

/// The keyword a word token spells, if any.
fn keyword(t: &Token) -> Option<&str> {
    match &t.kind {
        TokenKind::Word(w) => Some(w.as_str()),
        _ => None,
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    fn bump(&mut self) -> Option<&'a Token> {
        let t = self.tokens.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self, t: &Token) -> FilterError {
        let what = self.text.get(t.span.clone()).unwrap_or("");
        FilterError::at(
            self.text,
            t.span.start,
            t.span.end,
            format!("\"{what}\" was unexpected in this context."),
        )
    }

    fn next_or_end(&mut self) -> Result<&'a Token, FilterError> {
        self.bump()
            .ok_or_else(|| FilterError::unexpected_end(self.text))
    }

    /// True (and consumed) when the next token is punctuation `p` or the word `w`.
    fn eat(&mut self, p: Punct, w: &str) -> bool {
        let hit = self.peek().is_some_and(|t| {
            t.kind == TokenKind::Punct(p) || (!w.is_empty() && keyword(t) == Some(w))
        });
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn descend(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self
                .peek()
                .map_or(self.text.len()..self.text.len(), |t| t.span.clone());
            return Err(FilterError::at(
                self.text,
                span.start,
                span.end.max(span.start + 1),
                "Filter is nested too deeply.".into(),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.xor()?;
        while self.eat(Punct::OrOr, "or") {
            let right = self.xor()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn xor(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.and()?;
        while self.eat(Punct::XorXor, "xor") {
            let right = self.and()?;
            left = Expr::Xor(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.unary()?;
        while self.eat(Punct::AndAnd, "and") {
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        self.descend()?;
        let e = if self.eat(Punct::Bang, "not") {
            Expr::Not(Box::new(self.unary()?))
        } else if self.eat(Punct::LParen, "") {
            let inner = self.or()?;
            let close = self.next_or_end()?;
            if close.kind != TokenKind::Punct(Punct::RParen) {
                return Err(self.unexpected(close));
            }
            inner
        } else {
            Expr::Test(self.test()?)
        };
        self.depth -= 1;
        Ok(e)
    }

    fn test(&mut self) -> Result<Test, FilterError> {
        let lhs = self.operand()?;
        let Some(t) = self.peek() else {
            return Ok(Test::Exists(lhs));
        };
        if let Some(op) = relop(t) {
            self.pos += 1;
            let rhs = self.operand()?;
            return Ok(Test::Compare {
                lhs,
                op: (op, t.span.clone()),
                rhs,
            });
        }
        let negated = keyword(t) == Some("not")
            && self.tokens.get(self.pos + 1).and_then(keyword) == Some("in");
        if negated {
            self.pos += 1;
        }
        if self.peek().and_then(keyword) == Some("in") {
            self.pos += 1;
            let set = self.set()?;
            return Ok(Test::In { lhs, negated, set });
        }
        Ok(Test::Exists(lhs))
    }

    fn operand(&mut self) -> Result<Operand, FilterError> {
        let atom = self.atom()?;
        let mask = if self.eat(Punct::Amp, "") {
            Some(self.atom()?)
        } else {
            None
        };
        Ok(Operand { atom, mask })
    }

    fn atom(&mut self) -> Result<Atom, FilterError> {
        let t = self.next_or_end()?;
        let ok = match &t.kind {
            TokenKind::Word(w) => !is_reserved(w),
            TokenKind::Str { .. } | TokenKind::Char(_) => true,
            TokenKind::Punct(_) => false,
        };
        if !ok {
            return Err(self.unexpected(t));
        }
        // Slices (`frame[0:2]`) and functions (`len(x)`) are Wireshark syntax this engine does
        // not implement: say so at the bracket.
        if let Some(next) = self.peek() {
            if next.kind == TokenKind::Punct(Punct::LBracket)
                || (next.kind == TokenKind::Punct(Punct::LParen)
                    && matches!(t.kind, TokenKind::Word(_))
                    && next.span.start == t.span.end)
            {
                return Err(FilterError::at(
                    self.text,
                    next.span.start,
                    next.span.end,
                    "Slices and functions are not supported by tracematch's filter engine.".into(),
                ));
            }
        }
        Ok(Atom {
            kind: t.kind.clone(),
            span: t.span.clone(),
        })
    }

    fn set(&mut self) -> Result<Vec<SetElement>, FilterError> {
        let open = self.next_or_end()?;
        if open.kind != TokenKind::Punct(Punct::LBrace) {
            return Err(self.unexpected(open));
        }
        let mut elements = Vec::new();
        loop {
            let low = self.atom()?;
            let high = if self.eat(Punct::DotDot, "") {
                Some(self.atom()?)
            } else {
                None
            };
            elements.push(SetElement { low, high });
            let t = self.next_or_end()?;
            match t.kind {
                TokenKind::Punct(Punct::Comma) => continue,
                TokenKind::Punct(Punct::RBrace) => return Ok(elements),
                _ => return Err(self.unexpected(t)),
            }
        }
    }
}

/// Words that are operators, never operands.
fn is_reserved(w: &str) -> bool {
    matches!(
        w,
        "and"
            | "or"
            | "xor"
            | "not"
            | "in"
            | "eq"
            | "ne"
            | "lt"
            | "le"
            | "gt"
            | "ge"
            | "contains"
            | "matches"
            | "any_eq"
            | "all_eq"
            | "any_ne"
            | "all_ne"
    )
}

/// The relational operator a token spells.
fn relop(t: &Token) -> Option<RelOp> {
    Some(match &t.kind {
        TokenKind::Punct(Punct::Eq) => RelOp::AnyEq,
        TokenKind::Punct(Punct::AllEq) => RelOp::AllEq,
        TokenKind::Punct(Punct::Ne) => RelOp::AllNe,
        TokenKind::Punct(Punct::AnyNe) => RelOp::AnyNe,
        TokenKind::Punct(Punct::Lt) => RelOp::Lt,
        TokenKind::Punct(Punct::Le) => RelOp::Le,
        TokenKind::Punct(Punct::Gt) => RelOp::Gt,
        TokenKind::Punct(Punct::Ge) => RelOp::Ge,
        TokenKind::Punct(Punct::Tilde) => RelOp::Matches,
        TokenKind::Word(w) => match w.as_str() {
            "eq" | "any_eq" => RelOp::AnyEq,
            "all_eq" => RelOp::AllEq,
            "ne" | "all_ne" => RelOp::AllNe,
            "any_ne" => RelOp::AnyNe,
            "lt" => RelOp::Lt,
            "le" => RelOp::Le,
            "gt" => RelOp::Gt,
            "ge" => RelOp::Ge,
            "contains" => RelOp::Contains,
            "matches" => RelOp::Matches,
            _ => return None,
        },
        _ => return None,
    })
}

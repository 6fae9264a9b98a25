//! Codat's query language for list endpoints: `sourceType=Accounting&&enabled=true`.
//!
//! Conditions are `property op value` with `=`, `!=`, `~` (contains), `>`, `<`, `>=`, `<=`;
//! they combine with `&&` and `||` (`&&` binds tighter) and group with braces. Properties may be
//! dotted (`customerRef.id`). Strings compare case-insensitively, as Codat's own examples
//! (`sourceType=accounting`) rely on.

use serde_json::Value;

/// A parsed query, ready to test items against.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// Every branch must hold.
    All(Vec<Query>),
    /// Any branch must hold.
    Any(Vec<Query>),
    /// One comparison.
    Condition {
        /// Dotted property path.
        property: String,
        /// Comparison operator.
        op: Op,
        /// The literal compared with.
        value: String,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `~`
    Contains,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `<=`
    Le,
}

/// Longest query Codat accepts.
const MAX_LENGTH: usize = 2048;

/// Why a query cannot be read; its text is the message Codat puts in its 400 body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// Over [`MAX_LENGTH`].
    TooLong,
    /// Text left over after a whole query.
    Unexpected(String),
    /// A `{` without its `}`.
    MissingBrace,
    /// No property name where one must be.
    ExpectedProperty(String),
    /// No operator after this property.
    ExpectedOperator(String),
    /// No value after this property and operator.
    ExpectedValue(String),
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Error parsing query - ")?;
        match self {
            Self::TooLong => write!(f, "longer than {MAX_LENGTH} characters"),
            Self::Unexpected(rest) => write!(f, "unexpected '{rest}'"),
            Self::MissingBrace => f.write_str("missing '}'"),
            Self::ExpectedProperty(at) => write!(f, "expected a property name at '{at}'"),
            Self::ExpectedOperator(property) => write!(f, "expected an operator after '{property}'"),
            Self::ExpectedValue(condition) => write!(f, "expected a value after '{condition}'"),
        }
    }
}

impl std::error::Error for QueryError {}

impl Query {
    /// Parses a query; the error's text is the message Codat puts in its 400 body.
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        if text.len() > MAX_LENGTH {
            return Err(QueryError::TooLong);
        }
        let mut parser = Parser { text, pos: 0 };
        let query = parser.expr()?;
        parser.skip_spaces();
        if parser.pos != text.len() {
            return Err(QueryError::Unexpected(text[parser.pos..].to_owned()));
        }
        Ok(query)
    }

    /// Whether `item` (an API object as JSON) satisfies the query.
    pub fn matches(&self, item: &Value) -> bool {
        match self {
            Self::All(parts) => parts.iter().all(|q| q.matches(item)),
            Self::Any(parts) => parts.iter().any(|q| q.matches(item)),
            Self::Condition { property, op, value } => {
                let mut found = Vec::new();
                lookup(item, &property.split('.').collect::<Vec<_>>(), &mut found);
                found.into_iter().any(|found| compare(found, *op, value))
            }
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn skip_spaces(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_spaces();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Result<Query, QueryError> {
        let mut branches = vec![self.and_expr()?];
        while self.eat("||") {
            branches.push(self.and_expr()?);
        }
        Ok(if branches.len() == 1 { branches.remove(0) } else { Query::Any(branches) })
    }

    fn and_expr(&mut self) -> Result<Query, QueryError> {
        let mut parts = vec![self.term()?];
        while self.eat("&&") {
            parts.push(self.term()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Query::All(parts) })
    }

    fn term(&mut self) -> Result<Query, QueryError> {
        if self.eat("{") {
            let inner = self.expr()?;
            if !self.eat("}") {
                return Err(QueryError::MissingBrace);
            }
            return Ok(inner);
        }
        self.condition()
    }

    fn condition(&mut self) -> Result<Query, QueryError> {
        self.skip_spaces();
        let rest = self.rest();
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let property = rest[..name_len].to_owned();
        if property.is_empty() {
            return Err(QueryError::ExpectedProperty(rest.to_owned()));
        }
        self.pos += name_len;
        self.skip_spaces();
        let op = [
            ("!=", Op::Ne),
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("=", Op::Eq),
            ("~", Op::Contains),
            (">", Op::Gt),
            ("<", Op::Lt),
        ]
        .into_iter()
        .find(|(token, _)| self.rest().starts_with(token));
        let Some((token, op)) = op else {
            return Err(QueryError::ExpectedOperator(property));
        };
        self.pos += token.len();
        let rest = self.rest();
        let end = ["&&", "||", "}"].iter().filter_map(|t| rest.find(t)).min().unwrap_or(rest.len());
        let value = rest[..end].trim().to_owned();
        if value.is_empty() {
            return Err(QueryError::ExpectedValue(format!("{property}{token}")));
        }
        self.pos += end;
        Ok(Query::Condition { property, op, value })
    }
}

/// Every value at a dotted path; an array on the way stands for each of its elements, so
/// `dataConnections.status=PendingAuth` finds a company with any pending connection.
fn lookup<'v>(item: &'v Value, path: &[&str], found: &mut Vec<&'v Value>) {
    match (item, path.split_first()) {
        (Value::Array(elements), _) => elements.iter().for_each(|element| lookup(element, path, found)),
        (_, None) => found.push(item),
        (Value::Object(object), Some((key, rest))) => {
            if let Some((_, value)) = object.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
                lookup(value, rest, found);
            }
        }
        _ => {}
    }
}

fn compare(found: &Value, op: Op, literal: &str) -> bool {
    let text = match found {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => return false,
    };
    let numeric = text.parse::<f64>().ok().zip(literal.parse::<f64>().ok());
    let ordering = match numeric {
        Some((a, b)) => a.partial_cmp(&b),
        None => Some(text.to_lowercase().cmp(&literal.to_lowercase())),
    };
    match op {
        Op::Eq => ordering == Some(std::cmp::Ordering::Equal),
        Op::Ne => ordering != Some(std::cmp::Ordering::Equal),
        Op::Contains => text.to_lowercase().contains(&literal.to_lowercase()),
        Op::Gt => ordering == Some(std::cmp::Ordering::Greater),
        Op::Lt => ordering == Some(std::cmp::Ordering::Less),
        Op::Ge => matches!(ordering, Some(o) if o.is_ge()),
        Op::Le => matches!(ordering, Some(o) if o.is_le()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn xero() -> Value {
        json!({"key": "gbol", "name": "Xero", "sourceType": "Accounting", "enabled": true,
               "ref": {"id": 61}})
    }

    #[test]
    fn conjunction_of_equalities_matches_case_insensitively() {
        let query = Query::parse("sourceType=accounting&&enabled=true").unwrap();
        assert!(query.matches(&xero()));
        let query = Query::parse("sourceType=Banking&&enabled=true").unwrap();
        assert!(!query.matches(&xero()));
    }

    #[test]
    fn and_binds_tighter_than_or_and_braces_group() {
        let item = xero();
        assert!(Query::parse("name=Plaid||name=Xero&&enabled=true").unwrap().matches(&item));
        assert!(!Query::parse("{name=Plaid||name=Xero}&&enabled=false").unwrap().matches(&item));
    }

    #[test]
    fn dotted_properties_and_numeric_comparisons() {
        assert!(Query::parse("ref.id>=61").unwrap().matches(&xero()));
        assert!(!Query::parse("ref.id>61").unwrap().matches(&xero()));
    }

    #[test]
    fn a_dotted_path_through_an_array_matches_any_element() {
        let company = json!({"dataConnections": [{"status": "Linked"}, {"status": "PendingAuth"}]});
        assert!(Query::parse("dataConnections.status=PendingAuth").unwrap().matches(&company));
        assert!(!Query::parse("dataConnections.status=Deauthorized").unwrap().matches(&company));
    }

    #[test]
    fn contains_and_not_equal() {
        assert!(Query::parse("name~er").unwrap().matches(&xero()));
        assert!(Query::parse("key!=qhyg").unwrap().matches(&xero()));
    }

    #[test]
    fn malformed_queries_are_rejected_with_codat_wording() {
        for bad in ["", "name", "name=", "{name=Xero", "name=Xero}", "=Xero"] {
            let error = Query::parse(bad).unwrap_err().to_string();
            assert!(error.starts_with("Error parsing query"), "{bad}: {error}");
        }
    }
}

//! CSV for the lender's exports (RFC 4180): one field at a time.

/// A CSV field, quoted when it holds a comma, a quote or a line break; a leading `=`, `+`, `-`,
/// `@`, tab or carriage return is prefixed with `'` so a spreadsheet does not run it as a
/// formula (OWASP's CSV injection list).
pub fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// A row of fields, with its line end.
pub fn row<S: AsRef<str>>(fields: &[S]) -> String {
    let quoted: Vec<String> = fields.iter().map(|f| field(f.as_ref())).collect();
    format!("{}\r\n", quoted.join(","))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_field_is_quoted_when_needed_and_never_a_formula() {
        assert_eq!(super::field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(super::field("plain"), "plain");
        assert_eq!(super::row(&["a,b", "c"]), "\"a,b\",c\r\n");
        assert_eq!(super::field("\t=1+1"), "'\t=1+1");
        assert_eq!(super::field("\r=1+1"), "\"'\r=1+1\"");
    }
}

//! Egg variable rules: the subset of Laravel's validation rules that public
//! eggs use, with Laravel's meaning, so a server's values are checked here
//! before Wings sees them. A rule outside the subset is refused when the egg
//! is imported or saved ([`validate`]), never silently passed.
//!
//! Semantics followed (Laravel, as Pelican runs it):
//! - An empty value (or one of only spaces) counts as null, as Laravel's
//!   `TrimStrings` and `ConvertEmptyStringsToNull` make it. A null value
//!   fails `required`; with `nullable` it passes everything else; without,
//!   it fails the rules that need a value (`string`, `integer`, `in:`, …).
//! - An absent value (`None`, no value given at all) fails only `required`
//!   and `present`; every other rule is skipped, as for `sometimes`.
//! - `min`, `max`, `between`, `size`, `gt`, `gte`, `lt`, `lte` compare the
//!   number when the rules include `numeric` or `integer`, else the length
//!   in characters.
//! - `boolean` accepts only `0` and `1` (Laravel's accepted strings);
//!   `in:true,false` is how eggs ask for words.
//! - `in:`/`not_in:` lists are comma-separated with CSV quoting (`"a,b"`).
//! - `regex:` takes a PHP pattern with delimiters (`/^\w+$/i`); flags
//!   `i`, `m`, `s`, `x`, `u` and `D` are understood. Patterns run on a
//!   small linear-time engine (`regex-lite`: no backtracking, so no pattern
//!   can stall a request) whose classes are ASCII as in PHP without `u`
//!   (`\w` is `[A-Za-z0-9_]`); look-around, back-references and `\p{…}` are
//!   refused at import.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use regex_lite::{Regex, RegexBuilder};

/// Longest regex pattern source accepted.
const MAX_PATTERN: usize = 1024;
/// Compiled size limit for one pattern (bytes).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// One parsed rule.
#[derive(Debug, Clone)]
pub enum Rule {
    /// A value must be given and not empty.
    Required,
    /// An empty value passes every other rule.
    Nullable,
    /// Only check when given (the default for an absent value here).
    Sometimes,
    /// Stop at the first failure (what [`check`] always does).
    Bail,
    /// A value must be given, possibly empty.
    Present,
    /// When given, not empty.
    Filled,
    /// A string (every value is one, but not null).
    String,
    /// An integer (PHP's `FILTER_VALIDATE_INT`).
    Integer,
    /// A number (PHP's `is_numeric`).
    Numeric,
    /// `0` or `1`.
    Boolean,
    /// One of these.
    In(Vec<String>),
    /// None of these.
    NotIn(Vec<String>),
    /// Size at least.
    Min(f64),
    /// Size at most.
    Max(f64),
    /// Size within (inclusive).
    Between(f64, f64),
    /// Size exactly.
    Size(f64),
    /// Size greater than.
    Gt(f64),
    /// Size at least (as `min`).
    Gte(f64),
    /// Size less than.
    Lt(f64),
    /// Size at most (as `max`).
    Lte(f64),
    /// Matches the pattern.
    Regex(Regex),
    /// Does not match the pattern.
    NotRegex(Regex),
    /// Letters only.
    Alpha,
    /// Letters and digits.
    AlphaNum,
    /// Letters, digits, `-` and `_`.
    AlphaDash,
    /// Exactly this many digits.
    Digits(usize),
    /// Digits only, this many to that many.
    DigitsBetween(usize, usize),
    /// An absolute URL.
    Url,
    /// An IPv4 or IPv6 address.
    Ip,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// An email address.
    Email,
    /// Starts with one of these.
    StartsWith(Vec<String>),
    /// Ends with one of these.
    EndsWith(Vec<String>),
    /// Starts with none of these.
    DoesntStartWith(Vec<String>),
    /// Ends with none of these.
    DoesntEndWith(Vec<String>),
    /// No uppercase letters.
    Lowercase,
    /// No lowercase letters.
    Uppercase,
}

/// Parses one rule, e.g. `max:20` or `regex:/^\d+$/`.
pub fn parse(rule: &str) -> Result<Rule, String> {
    let rule = rule.trim();
    let (name, arg) = match rule.split_once(':') {
        Some((name, arg)) => (name.trim(), Some(arg)),
        None => (rule, None),
    };
    let bare = |r: Rule| match arg {
        None => Ok(r),
        Some(_) => Err(format!("`{name}` takes no parameter")),
    };
    let arg_of = || arg.ok_or_else(|| format!("`{name}` needs a parameter, as in `{name}:…`"));
    let number = || -> Result<f64, String> {
        let a = arg_of()?.trim();
        parse_number(a).ok_or_else(|| format!("`{name}` needs a number, not `{a}`"))
    };
    let numbers = || -> Result<(f64, f64), String> {
        let a = arg_of()?;
        let (low, high) = a
            .split_once(',')
            .ok_or_else(|| format!("`{name}` needs two numbers, as in `{name}:1,10`"))?;
        match (parse_number(low.trim()), parse_number(high.trim())) {
            (Some(low), Some(high)) => Ok((low, high)),
            _ => Err(format!("`{name}` needs two numbers, not `{a}`")),
        }
    };
    let count = |text: &str| -> Result<usize, String> {
        text.trim()
            .parse::<usize>()
            .map_err(|_| format!("`{name}` needs a whole number, not `{text}`"))
    };
    let list = || -> Result<Vec<String>, String> {
        let a = arg_of()?;
        let values = csv(a);
        if a.trim().is_empty() || values.is_empty() {
            Err(format!("`{name}` needs at least one value"))
        } else {
            Ok(values)
        }
    };
    match name {
        "required" => bare(Rule::Required),
        "nullable" => bare(Rule::Nullable),
        "sometimes" => bare(Rule::Sometimes),
        "bail" => bare(Rule::Bail),
        "present" => bare(Rule::Present),
        "filled" => bare(Rule::Filled),
        "string" => bare(Rule::String),
        "integer" => bare(Rule::Integer),
        "numeric" => bare(Rule::Numeric),
        "boolean" => bare(Rule::Boolean),
        "alpha" => bare(Rule::Alpha),
        "alpha_num" => bare(Rule::AlphaNum),
        "alpha_dash" => bare(Rule::AlphaDash),
        "url" => bare(Rule::Url),
        "ip" => bare(Rule::Ip),
        "ipv4" => bare(Rule::Ipv4),
        "ipv6" => bare(Rule::Ipv6),
        "email" => bare(Rule::Email),
        "lowercase" => bare(Rule::Lowercase),
        "uppercase" => bare(Rule::Uppercase),
        "in" => Ok(Rule::In(list()?)),
        "not_in" => Ok(Rule::NotIn(list()?)),
        "starts_with" => Ok(Rule::StartsWith(list()?)),
        "ends_with" => Ok(Rule::EndsWith(list()?)),
        "doesnt_start_with" => Ok(Rule::DoesntStartWith(list()?)),
        "doesnt_end_with" => Ok(Rule::DoesntEndWith(list()?)),
        "min" => Ok(Rule::Min(number()?)),
        "max" => Ok(Rule::Max(number()?)),
        "size" => Ok(Rule::Size(number()?)),
        "gt" => Ok(Rule::Gt(number()?)),
        "gte" => Ok(Rule::Gte(number()?)),
        "lt" => Ok(Rule::Lt(number()?)),
        "lte" => Ok(Rule::Lte(number()?)),
        "between" => {
            let (low, high) = numbers()?;
            Ok(Rule::Between(low, high))
        }
        "digits" => Ok(Rule::Digits(count(arg_of()?)?)),
        "digits_between" => {
            let a = arg_of()?;
            let (low, high) = a
                .split_once(',')
                .ok_or_else(|| format!("`{name}` needs two numbers, as in `{name}:1,10`"))?;
            Ok(Rule::DigitsBetween(count(low)?, count(high)?))
        }
        "regex" => Ok(Rule::Regex(pattern(arg_of()?)?)),
        "not_regex" => Ok(Rule::NotRegex(pattern(arg_of()?)?)),
        "" => Err("is an empty rule".into()),
        other => Err(format!("`{other}` is not a supported rule")),
    }
}

/// Checks that every rule parses: what import and save require.
pub fn validate(rules: &[String]) -> Result<(), String> {
    for rule in rules {
        parse(rule).map_err(|e| format!("rule `{}`: {e}", rule.trim()))?;
    }
    Ok(())
}

/// Splits a legacy `|`-separated rule string, keeping a `|` that is inside
/// a `regex:`/`not_regex:` pattern's delimiters; empty pieces are dropped.
pub fn split(rules: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = rules;
    while !rest.is_empty() {
        let end = regex_rule_end(rest).unwrap_or_else(|| rest.find('|').unwrap_or(rest.len()));
        let piece = rest[..end].trim();
        if !piece.is_empty() {
            out.push(piece.to_owned());
        }
        rest = rest.get(end + 1..).unwrap_or("");
    }
    out
}

/// Where a `regex:` rule at the start of `text` ends (at a `|` or the end),
/// when its pattern's closing delimiter is followed by flags and then one.
fn regex_rule_end(text: &str) -> Option<usize> {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let after = trimmed
        .strip_prefix("regex:")
        .or_else(|| trimmed.strip_prefix("not_regex:"))?;
    let start = lead + (trimmed.len() - after.len());
    let (_, body_end) = delimited(after)?;
    let mut end = start + body_end;
    let tail = &text[end..];
    let flags = tail
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(tail.len());
    end += flags;
    let tail = text[end..].trim_start();
    if tail.is_empty() || tail.starts_with('|') {
        Some(text.len() - tail.len())
    } else {
        None
    }
}

/// For a PHP pattern `/body/flags`, the body and the byte offset just past
/// the closing delimiter.
fn delimited(pattern: &str) -> Option<(&str, usize)> {
    let open = pattern.chars().next()?;
    if open.is_alphanumeric() || open == '\\' || open.is_whitespace() {
        return None;
    }
    let close = match open {
        '(' => ')',
        '[' => ']',
        '{' => '}',
        '<' => '>',
        other => other,
    };
    let body_start = open.len_utf8();
    let mut escaped = false;
    for (i, c) in pattern[body_start..].char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == close {
            let at = body_start + i;
            return Some((&pattern[body_start..at], at + close.len_utf8()));
        }
    }
    None
}

/// Compiles a PHP pattern with delimiters and flags.
fn pattern(source: &str) -> Result<Regex, String> {
    let source = source.trim();
    if source.len() > MAX_PATTERN {
        return Err(format!("the pattern is longer than {MAX_PATTERN} bytes"));
    }
    let (body, end) = delimited(source)
        .ok_or_else(|| "the pattern needs delimiters, as in `regex:/^[a-z]+$/`".to_owned())?;
    let mut builder = RegexBuilder::new(body);
    builder.size_limit(REGEX_SIZE_LIMIT);
    for flag in source[end..].chars() {
        match flag {
            'i' => builder.case_insensitive(true),
            'm' => builder.multi_line(true),
            's' => builder.dot_matches_new_line(true),
            'x' => builder.ignore_whitespace(true),
            // Unicode is always on; `$` never matches before a final newline.
            'u' | 'D' => &mut builder,
            other => return Err(format!("the pattern flag `{other}` is not supported")),
        };
    }
    builder.build().map_err(|e| {
        format!(
            "the pattern is not supported: {}",
            first_line(&e.to_string())
        )
    })
}

fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .rfind(|l| l.starts_with("error:"))
        .unwrap_or_else(|| text.lines().next().unwrap_or(text))
        .to_owned()
}

/// Splits a parameter list as PHP's `str_getcsv` does: commas, with double
/// quotes around a value that holds one (`""` for a quote).
fn csv(text: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if at_start => quoted = true,
            ',' if !quoted => {
                values.push(std::mem::take(&mut current));
                at_start = true;
                continue;
            }
            other => current.push(other),
        }
        at_start = false;
    }
    values.push(current);
    values
}

/// PHP's `is_numeric` on a string: optional surrounding spaces, a sign,
/// digits with an optional point, an optional exponent; no `inf`/`nan`/hex.
fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && (!int.is_empty() || !frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if mantissa_ok && exponent_ok {
        t.parse::<f64>().ok().filter(|n| n.is_finite())
    } else {
        None
    }
}

/// PHP's `FILTER_VALIDATE_INT`: optional spaces and sign, no leading zeros,
/// within 64 bits.
fn is_integer(text: &str) -> bool {
    let t = text.trim();
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let well_formed = body == "0"
        || (!body.is_empty() && !body.starts_with('0') && body.chars().all(|c| c.is_ascii_digit()));
    well_formed && t.parse::<i64>().is_ok()
}

fn is_url(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host_ok = !host.is_empty()
        && !host.starts_with(':')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']' | '%'));
    scheme_ok && host_ok && !text.chars().any(char::is_whitespace)
}

fn is_mark(c: char) -> bool {
    // Combining marks (\pM) commonly met: the combining blocks.
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Formats a rule's number as people wrote it (`20`, not `20.0`).
fn shown(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// Checks `value` against `rules`; the error is the message for the
/// variable's field, e.g. `must be at most 20 characters`. `None` means no
/// value was given at all (see the module docs). Rules that do not parse
/// fail the check, so an egg saved before a rule was refused cannot pass
/// an unchecked value.
pub fn check(rules: &[String], value: Option<&str>) -> Result<(), String> {
    let parsed = rules
        .iter()
        .map(|r| parse(r).map_err(|e| format!("cannot be checked: rule `{}` {e}", r.trim())))
        .collect::<Result<Vec<_>, _>>()?;
    let has = |f: fn(&Rule) -> bool| parsed.iter().any(f);
    let required = has(|r| matches!(r, Rule::Required));
    let nullable = has(|r| matches!(r, Rule::Nullable));
    let Some(value) = value else {
        if required {
            return Err("is required".into());
        }
        if has(|r| matches!(r, Rule::Present)) {
            return Err("must be present".into());
        }
        return Ok(());
    };
    if value.trim().is_empty() {
        if required {
            return Err("is required".into());
        }
        if has(|r| matches!(r, Rule::Filled)) {
            return Err("must not be empty".into());
        }
        if nullable {
            return Ok(());
        }
        // Laravel runs the remaining rules on null, which compares as the
        // empty string: `string` and the type rules fail, `in:` passes only
        // when it lists the empty value, a pattern never matches.
        for rule in parsed.iter().filter(|r| needs_value(r)) {
            match rule {
                Rule::Regex(_) => return Err("is not in the format the egg requires".into()),
                other => one(other, "", false)?,
            }
        }
        return Ok(());
    }
    let numeric = has(|r| matches!(r, Rule::Numeric | Rule::Integer));
    for rule in &parsed {
        one(rule, value, numeric)?;
    }
    Ok(())
}

/// Whether the rule fails on a null value.
fn needs_value(rule: &Rule) -> bool {
    !matches!(
        rule,
        Rule::Required
            | Rule::Nullable
            | Rule::Sometimes
            | Rule::Bail
            | Rule::Present
            | Rule::Filled
            | Rule::NotIn(_)
            | Rule::NotRegex(_)
            | Rule::DoesntStartWith(_)
            | Rule::DoesntEndWith(_)
    )
}

/// Checks one rule; `numeric` says sizes are numbers (else lengths).
fn one(rule: &Rule, value: &str, numeric: bool) -> Result<(), String> {
    let size = || -> Option<f64> {
        if numeric {
            parse_number(value)
        } else {
            Some(value.chars().count() as f64)
        }
    };
    let unit = if numeric { "" } else { " characters" };
    let sized = |ok: fn(f64, f64, f64) -> bool, a: f64, b: f64, message: String| {
        // A non-number under `numeric` fails `numeric` itself, with its message.
        match size() {
            Some(s) if ok(s, a, b) => Ok(()),
            Some(_) => Err(message),
            None => Err("must be a number".into()),
        }
    };
    let listed = |values: &[String]| {
        values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ok = |pass: bool, message: &str| {
        if pass {
            Ok(())
        } else {
            Err(message.to_owned())
        }
    };
    let empty = value.is_empty();
    match rule {
        Rule::Required | Rule::Present | Rule::Filled => {
            ok(!value.trim().is_empty(), "is required")
        }
        Rule::Nullable | Rule::Sometimes | Rule::Bail => Ok(()),
        Rule::String => ok(!empty, "must be a string"),
        Rule::Integer => ok(is_integer(value), "must be an integer"),
        Rule::Numeric => ok(parse_number(value).is_some(), "must be a number"),
        Rule::Boolean => ok(value == "0" || value == "1", "must be 0 or 1"),
        Rule::In(values) => {
            let message = format!("must be one of {}", listed(values));
            ok(values.iter().any(|v| v == value), &message)
        }
        Rule::NotIn(values) => {
            let message = format!("must not be one of {}", listed(values));
            ok(!values.iter().any(|v| v == value), &message)
        }
        Rule::Min(n) | Rule::Gte(n) => sized(
            |s, a, _| s >= a,
            *n,
            0.0,
            format!("must be at least {}{unit}", shown(*n)),
        ),
        Rule::Max(n) | Rule::Lte(n) => sized(
            |s, a, _| s <= a,
            *n,
            0.0,
            format!("must be at most {}{unit}", shown(*n)),
        ),
        Rule::Gt(n) => sized(
            |s, a, _| s > a,
            *n,
            0.0,
            format!("must be more than {}{unit}", shown(*n)),
        ),
        Rule::Lt(n) => sized(
            |s, a, _| s < a,
            *n,
            0.0,
            format!("must be less than {}{unit}", shown(*n)),
        ),
        Rule::Size(n) => sized(
            |s, a, _| s == a,
            *n,
            0.0,
            if numeric {
                format!("must be {}", shown(*n))
            } else {
                format!("must be exactly {}{unit}", shown(*n))
            },
        ),
        Rule::Between(a, b) => sized(
            |s, a, b| s >= a && s <= b,
            *a,
            *b,
            format!("must be between {} and {}{unit}", shown(*a), shown(*b)),
        ),
        Rule::Regex(re) => ok(re.is_match(value), "is not in the format the egg requires"),
        Rule::NotRegex(re) => ok(!re.is_match(value), "is not in the format the egg requires"),
        Rule::Alpha => ok(
            !empty && value.chars().all(|c| c.is_alphabetic() || is_mark(c)),
            "must contain only letters",
        ),
        Rule::AlphaNum => ok(
            !empty && value.chars().all(|c| c.is_alphanumeric() || is_mark(c)),
            "must contain only letters and numbers",
        ),
        Rule::AlphaDash => ok(
            !empty
                && value
                    .chars()
                    .all(|c| c.is_alphanumeric() || is_mark(c) || c == '-' || c == '_'),
            "must contain only letters, numbers, dashes and underscores",
        ),
        Rule::Digits(n) => ok(
            value.chars().all(|c| c.is_ascii_digit()) && value.len() == *n && !empty,
            &format!("must be {n} digits"),
        ),
        Rule::DigitsBetween(a, b) => ok(
            !empty && value.chars().all(|c| c.is_ascii_digit()) && (*a..=*b).contains(&value.len()),
            &format!("must be between {a} and {b} digits"),
        ),
        Rule::Url => ok(is_url(value), "must be a URL"),
        Rule::Ip => ok(value.parse::<IpAddr>().is_ok(), "must be an IP address"),
        Rule::Ipv4 => ok(value.parse::<Ipv4Addr>().is_ok(), "must be an IPv4 address"),
        Rule::Ipv6 => ok(value.parse::<Ipv6Addr>().is_ok(), "must be an IPv6 address"),
        Rule::Email => crate::validate::email(value),
        Rule::StartsWith(values) => ok(
            values.iter().any(|v| value.starts_with(v.as_str())),
            &format!("must start with one of {}", listed(values)),
        ),
        Rule::EndsWith(values) => ok(
            values.iter().any(|v| value.ends_with(v.as_str())),
            &format!("must end with one of {}", listed(values)),
        ),
        Rule::DoesntStartWith(values) => ok(
            !values.iter().any(|v| value.starts_with(v.as_str())),
            &format!("must not start with {}", listed(values)),
        ),
        Rule::DoesntEndWith(values) => ok(
            !values.iter().any(|v| value.ends_with(v.as_str())),
            &format!("must not end with {}", listed(values)),
        ),
        Rule::Lowercase => ok(value.to_lowercase() == value, "must be lowercase"),
        Rule::Uppercase => ok(value.to_uppercase() == value, "must be uppercase"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(list: &[&str]) -> Vec<String> {
        list.iter().map(|r| (*r).to_owned()).collect()
    }

    fn passes(list: &[&str], value: &str) -> bool {
        check(&rules(list), Some(value)).is_ok()
    }

    #[test]
    fn required_nullable_and_absent() {
        assert_eq!(
            check(&rules(&["required"]), None),
            Err("is required".into())
        );
        assert_eq!(
            check(&rules(&["required"]), Some("  ")),
            Err("is required".into())
        );
        assert!(check(&rules(&["nullable", "string", "max:3"]), Some("")).is_ok());
        // Present but empty without `nullable`: `string` fails, as in Laravel.
        assert_eq!(
            check(&rules(&["string", "max:20"]), Some("")),
            Err("must be a string".into())
        );
        // Absent: only required/present are checked.
        assert!(check(&rules(&["string", "max:2"]), None).is_ok());
        assert!(check(&rules(&["present"]), None).is_err());
        assert!(check(&rules(&["present", "nullable"]), Some("")).is_ok());
        assert!(check(&rules(&["sometimes", "integer"]), None).is_ok());
        assert!(check(&rules(&[]), Some("")).is_ok());
        // Empty, not nullable: every rule that needs a value is checked.
        assert!(check(&rules(&["in:,a,b"]), Some("")).is_ok());
        assert!(check(&rules(&["in:a,b"]), Some("")).is_err());
        assert!(check(&rules(&["max:5", "integer"]), Some("")).is_err());
        assert!(check(&rules(&["regex:/^$/"]), Some("")).is_err());
        assert!(check(&rules(&["not_in:a", "max:3"]), Some("")).is_ok());
    }

    #[test]
    fn min_max_count_characters_for_strings_and_value_for_numbers() {
        assert!(passes(&["string", "max:5"], "héllo"));
        assert!(!passes(&["string", "max:5"], "héllo!"));
        assert!(passes(&["string", "min:2"], "25"));
        assert!(passes(&["string", "min:3"], "100"), "length 3");
        assert!(!passes(&["string", "min:4"], "100"), "length, not value");
        assert!(passes(&["integer", "min:3"], "100"));
        assert!(!passes(&["integer", "max:99"], "100"));
        assert!(passes(&["numeric", "between:1,24"], "24"));
        assert!(!passes(&["numeric", "between:1,24"], "24.5"));
        assert!(passes(&["between:1,3"], "abc"));
        assert!(!passes(&["between:1,3"], "abcd"));
        assert_eq!(
            check(&rules(&["numeric", "max:10"]), Some("11")),
            Err("must be at most 10".into())
        );
        assert_eq!(
            check(&rules(&["string", "max:2"]), Some("abc")),
            Err("must be at most 2 characters".into())
        );
        assert!(passes(&["string", "size:32"], &"a".repeat(32)));
        assert!(!passes(&["string", "size:32"], &"a".repeat(31)));
        assert!(passes(&["integer", "gt:0"], "1"));
        assert!(!passes(&["integer", "gt:0"], "0"));
    }

    #[test]
    fn types() {
        for good in ["0", "-5", "+7", "25565", " 12 "] {
            assert!(passes(&["integer"], good), "{good}");
        }
        for bad in ["012", "1.5", "1e3", "abc", "", "99999999999999999999"] {
            assert!(!passes(&["required", "integer"], bad), "{bad}");
        }
        for good in ["1.5", ".5", "5.", "-1e3", "0x"] {
            assert_eq!(passes(&["numeric"], good), good != "0x", "{good}");
        }
        for bad in ["inf", "NaN", "1,5", "e5", "."] {
            assert!(!passes(&["numeric"], bad), "{bad}");
        }
        assert!(passes(&["boolean"], "1"));
        assert!(passes(&["boolean"], "0"));
        assert!(!passes(&["boolean"], "true"), "Laravel refuses the word");
        assert!(passes(&["in:true,false"], "true"));
    }

    #[test]
    fn lists_with_quotes() {
        assert!(passes(&["in:survival,creative"], "creative"));
        assert!(!passes(&["in:survival,creative"], "Creative"));
        assert!(passes(&[r#"in:"a,b",c"#], "a,b"));
        assert!(!passes(&[r#"in:"a,b",c"#], "a"));
        assert!(passes(&["not_in:root,admin"], "ada"));
        assert!(!passes(&["not_in:root,admin"], "root"));
        assert!(passes(&["starts_with:http://,https://"], "https://x"));
        assert!(!passes(&["ends_with:.jar"], "server.zip"));
    }

    #[test]
    fn regexes_with_delimiters_and_flags() {
        let jar = r"regex:/^([\w\d._-]+)(\.jar)$/";
        assert!(passes(&["required", jar], "server.jar"));
        assert!(!passes(&["required", jar], "server.zip"));
        assert!(passes(&["regex:/^[a-z]+$/i"], "ABC"));
        assert!(passes(&["regex:#^a/b$#"], "a/b"));
        assert!(passes(&["regex:/^(yes|no)$/"], "no"));
        assert!(
            !passes(&[r"regex:/^\w+$/"], "é"),
            "ASCII classes, as PCRE without /u"
        );
        assert!(
            parse(r"regex:/^\p{L}+$/").is_err(),
            "Unicode classes are refused"
        );
        assert!(!passes(&["not_regex:/^root$/"], "root"));
        assert!(parse("regex:^abc$").is_err(), "no delimiters");
        assert!(parse("regex:/(?=a)/").is_err(), "look-ahead is refused");
        assert!(parse("regex:/a/e").is_err(), "unknown flag");
    }

    #[test]
    fn splits_legacy_strings_around_regex_pipes() {
        assert_eq!(
            split("required|regex:/^(yes|no)$/|max:3"),
            vec!["required", "regex:/^(yes|no)$/", "max:3"]
        );
        assert_eq!(
            split("required|string|max:20"),
            vec!["required", "string", "max:20"]
        );
        assert_eq!(split(""), Vec::<String>::new());
        assert_eq!(split("nullable||string"), vec!["nullable", "string"]);
        assert_eq!(
            split("in:a,b|regex:/^a|b$/i"),
            vec!["in:a,b", "regex:/^a|b$/i"]
        );
        // An unterminated pattern falls back to plain splitting.
        assert_eq!(split("regex:/^a|b"), vec!["regex:/^a", "b"]);
    }

    #[test]
    fn character_classes() {
        assert!(passes(&["alpha"], "Zoë"));
        assert!(!passes(&["alpha"], "abc1"));
        assert!(passes(&["alpha_num"], "abc1"));
        assert!(passes(&["alpha_dash"], "my-world_2"));
        assert!(!passes(&["alpha_dash"], "my world"));
        assert!(passes(&["digits:4"], "0420"));
        assert!(!passes(&["digits:4"], "420"));
        assert!(passes(&["digits_between:17,18"], "12345678901234567"));
        assert!(!passes(&["digits_between:17,18"], "1234"));
        assert!(passes(&["url"], "https://example.com/x?y=1"));
        assert!(!passes(&["url"], "example.com"));
        assert!(passes(&["ip"], "::1"));
        assert!(passes(&["ipv4"], "10.0.0.1"));
        assert!(!passes(&["ipv4"], "::1"));
        assert!(passes(&["lowercase"], "abc"));
        assert!(!passes(&["lowercase"], "aBc"));
    }

    #[test]
    fn unknown_and_malformed_rules_are_refused() {
        for bad in [
            "int",
            "array",
            "required_if:FOO,1",
            "max",
            "max:x",
            "between:1",
            "in:",
            "digits:a",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(validate(&rules(&["required", "int"])).is_err_and(|e| e.contains("`int`")));
        assert!(check(&rules(&["int"]), Some("5")).is_err());
        assert!(validate(&rules(&["required", "string", "max:20"])).is_ok());
    }
}

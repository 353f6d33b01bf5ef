//! A `multipart/form-data` parser (RFC 7578) for the bodies Discord accepts with uploads: a
//! `payload_json` text field plus `files[n]` file parts.

use std::fmt;

use serde_json::Value;

/// A parsed `multipart/form-data` body.
#[derive(Clone, Debug, Default)]
pub struct MultipartBody {
    /// The `payload_json` field parsed as JSON, when present.
    pub payload_json: Option<Value>,
    /// Parts with a filename, in body order.
    pub files: Vec<UploadedFile>,
    /// Text parts other than `payload_json`, as `(name, value)`.
    pub fields: Vec<(String, String)>,
}

/// One file part of a multipart body.
#[derive(Clone, Default)]
pub struct UploadedFile {
    /// Form field name, e.g. `files[0]`.
    pub field: String,
    pub filename: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for UploadedFile {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("UploadedFile")
            .field("field", &self.field)
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Parses `body` sent with the `Content-Type` header value `content_type`.
///
/// # Errors
///
/// Returns a message naming the defect when the boundary is missing, a delimiter is missing, a
/// part has no `Content-Disposition` name, or `payload_json` is not valid JSON.
pub fn parse(content_type: &str, body: &[u8]) -> Result<MultipartBody, String> {
    let boundary = boundary(content_type)
        .ok_or_else(|| format!("Content-Type `{content_type}` has no multipart boundary"))?;
    let mut parsed = MultipartBody::default();
    for part in split_parts(body, &boundary)? {
        add_part(&mut parsed, part)?;
    }
    Ok(parsed)
}

/// Extracts the `boundary` parameter of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    let mut pieces = content_type.split(';');
    let essence = pieces.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    pieces.find_map(|piece| {
        let (key, value) = piece.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
    })
}

/// Splits a body into its parts, each still holding its headers.
fn split_parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>, String> {
    let delimiter = format!("--{boundary}").into_bytes();
    let inner_delimiter = [b"\r\n".as_slice(), &delimiter].concat();
    let first = find(body, &delimiter, 0).ok_or("body has no opening boundary delimiter")?;
    let mut position = first + delimiter.len();
    let mut parts = Vec::new();

    loop {
        let rest = &body[position..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        if !rest.starts_with(b"\r\n") {
            return Err("boundary delimiter is not followed by CRLF".into());
        }
        let start = position + 2;
        let end = find(body, &inner_delimiter, start).ok_or("body has no closing delimiter")?;
        parts.push(&body[start..end]);
        position = end + inner_delimiter.len();
    }
}

fn add_part(parsed: &mut MultipartBody, part: &[u8]) -> Result<(), String> {
    let header_end = find(part, b"\r\n\r\n", 0).ok_or("part has no blank line after headers")?;
    let head = String::from_utf8_lossy(&part[..header_end]);
    let content = &part[header_end + 4..];

    let mut disposition = None;
    let mut content_type = None;
    for line in head.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "content-disposition" => disposition = Some(value.trim().to_string()),
            "content-type" => content_type = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let disposition = disposition.ok_or("part has no Content-Disposition header")?;
    let (name, filename) = disposition_names(&disposition)?;

    if let Some(filename) = filename {
        parsed.files.push(UploadedFile {
            field: name,
            filename,
            content_type,
            bytes: content.to_vec(),
        });
    } else if name == "payload_json" {
        let json = serde_json::from_slice(content)
            .map_err(|error| format!("payload_json is not valid JSON: {error}"))?;
        parsed.payload_json = Some(json);
    } else {
        let value = String::from_utf8_lossy(content).into_owned();
        parsed.fields.push((name, value));
    }
    Ok(())
}

/// Extracts `name` (or `name*`) and `filename` from a `Content-Disposition: form-data` value.
fn disposition_names(disposition: &str) -> Result<(String, Option<String>), String> {
    let mut name = None;
    let mut filename = None;
    for parameter in split_parameters(disposition).into_iter().skip(1) {
        let Some((key, value)) = parameter.split_once('=') else {
            continue;
        };
        match key.trim() {
            "name" => name = Some(unquote(value.trim())),
            "name*" => name = Some(decode_extended(value.trim())),
            "filename" => filename = Some(unquote(value.trim())),
            _ => {}
        }
    }
    let name = name.ok_or_else(|| format!("Content-Disposition `{disposition}` has no name"))?;
    Ok((name, filename))
}

/// Splits header parameters on `;` outside quoted strings.
fn split_parameters(value: &str) -> Vec<String> {
    let mut parameters = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut escaped = false;
    for character in value.chars() {
        match character {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => {
                parameters.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(character);
    }
    parameters.push(current);
    parameters
}

/// Removes the quotes and backslash escapes of a quoted-string, as reqwest writes filenames.
fn unquote(value: &str) -> String {
    let Some(inner) = value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return value.to_string();
    };
    let mut unescaped = String::with_capacity(inner.len());
    let mut characters = inner.chars();
    while let Some(character) = characters.next() {
        if character == '\\' {
            unescaped.extend(characters.next());
        } else {
            unescaped.push(character);
        }
    }
    unescaped
}

/// Decodes an RFC 8187 extended value such as `utf-8''files%5B0%5D`.
fn decode_extended(value: &str) -> String {
    let encoded = value.splitn(3, '\'').nth(2).unwrap_or(value);
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut input = encoded.bytes();
    while let Some(byte) = input.next() {
        if byte != b'%' {
            bytes.push(byte);
            continue;
        }
        let high = input.next().and_then(|digit| (digit as char).to_digit(16));
        let low = input.next().and_then(|digit| (digit as char).to_digit(16));
        match (high, low) {
            (Some(high), Some(low)) => bytes.push((high * 16 + low) as u8),
            _ => bytes.push(b'%'),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|offset| offset + from)
}

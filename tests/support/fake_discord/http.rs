//! A small HTTP/1.1 server: request parsing with `httparse`, bodies by `Content-Length` or
//! chunked transfer coding, and persistent connections as reqwest's pool expects them.
//!
//! It serves one request at a time per connection and sends a complete response to each, so
//! pipelining clients also work. It reads no `Expect: 100-continue` handshake,
//! because reqwest sends none.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Maximum size of a request head (request line plus headers).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Maximum size of a request body: Discord's largest upload limit is far below this.
const MAX_BODY_BYTES: usize = 128 * 1024 * 1024;

/// A request as read from the socket, before routing.
pub struct RawRequest {
    pub method: String,
    /// Request target without the query string.
    pub path: String,
    /// Query string without the leading `?`, empty when absent.
    pub query: String,
    /// Header names in lower case, values as sent, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    /// Returns the first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Reports whether the client asked to close the connection after this request.
    fn wants_close(&self) -> bool {
        self.header("connection")
            .is_some_and(|value| value.eq_ignore_ascii_case("close"))
    }
}

/// A complete response.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// Builds a response whose body is `body` serialized as JSON.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// Builds a 204 No Content response.
    pub fn no_content() -> Self {
        Self {
            status: 204,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

/// A connection's read buffer and socket.
pub struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    pub fn new(stream: TcpStream) -> Self {
        Self {
            stream,
            buffer: Vec::new(),
        }
    }

    /// Reads the next request. Returns `Ok(None)` when the client closed the connection between
    /// requests.
    pub async fn read_request(&mut self) -> io::Result<Option<RawRequest>> {
        let Some(mut request) = self.read_head().await? else {
            return Ok(None);
        };
        request.body = self.read_body(&request).await?;
        Ok(Some(request))
    }

    /// Writes `response` and reports whether the connection stays open for another request.
    pub async fn write_response(
        &mut self,
        request: &RawRequest,
        response: &Response,
    ) -> io::Result<bool> {
        let keep_alive = !request.wants_close();
        let mut head = format!(
            "HTTP/1.1 {} {}\r\n",
            response.status,
            reason_phrase(response.status)
        );
        for (name, value) in &response.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if response.status != 204 {
            head.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
        }
        if !keep_alive {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");

        self.stream.write_all(head.as_bytes()).await?;
        self.stream.write_all(&response.body).await?;
        self.stream.flush().await?;
        Ok(keep_alive)
    }

    /// Reads bytes from the socket into the buffer. Returns the number of bytes read, 0 at end
    /// of stream.
    async fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0_u8; 16 * 1024];
        let read = self.stream.read(&mut chunk).await?;
        self.buffer.extend_from_slice(&chunk[..read]);
        Ok(read)
    }

    async fn read_head(&mut self) -> io::Result<Option<RawRequest>> {
        loop {
            if let Some((request, head_len)) = parse_head(&self.buffer)? {
                self.buffer.drain(..head_len);
                return Ok(Some(request));
            }
            if self.buffer.len() > MAX_HEAD_BYTES {
                return Err(invalid("request head is larger than 64 KiB"));
            }
            if self.fill().await? == 0 {
                return if self.buffer.is_empty() {
                    Ok(None)
                } else {
                    Err(io::ErrorKind::UnexpectedEof.into())
                };
            }
        }
    }

    async fn read_body(&mut self, request: &RawRequest) -> io::Result<Vec<u8>> {
        let chunked = request
            .header("transfer-encoding")
            .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"));
        if chunked {
            return self.read_chunked_body().await;
        }
        let length = match request.header("content-length") {
            Some(value) => value
                .trim()
                .parse::<usize>()
                .map_err(|_| invalid("Content-Length is not a number"))?,
            None => 0,
        };
        self.take_exact(length).await
    }

    /// Removes and returns the next `length` bytes, reading more as needed.
    async fn take_exact(&mut self, length: usize) -> io::Result<Vec<u8>> {
        if length > MAX_BODY_BYTES {
            return Err(invalid("request body is larger than 128 MiB"));
        }
        while self.buffer.len() < length {
            if self.fill().await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(self.buffer.drain(..length).collect())
    }

    /// Removes and returns the next CRLF-terminated line without its CRLF.
    async fn take_line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|pair| pair == b"\r\n") {
                let line = self.buffer.drain(..end + 2).take(end).collect();
                return Ok(line);
            }
            if self.buffer.len() > MAX_HEAD_BYTES {
                return Err(invalid("chunk line is larger than 64 KiB"));
            }
            if self.fill().await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// Decodes a chunked body: hex size lines, data, and trailers up to an empty line.
    async fn read_chunked_body(&mut self) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line = self.take_line().await?;
            let size = parse_chunk_size(&line)?;
            if size == 0 {
                break;
            }
            if body.len() + size > MAX_BODY_BYTES {
                return Err(invalid("request body is larger than 128 MiB"));
            }
            body.extend(self.take_exact(size).await?);
            if !self.take_line().await?.is_empty() {
                return Err(invalid("chunk data is not followed by CRLF"));
            }
        }
        while !self.take_line().await?.is_empty() {}
        Ok(body)
    }
}

/// Parses a request head from the start of `buffer`. Returns the request (with an empty body)
/// and the head's length, or `None` when the head is not complete yet.
fn parse_head(buffer: &[u8]) -> io::Result<Option<(RawRequest, usize)>> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    let status = parsed
        .parse(buffer)
        .map_err(|error| invalid(&format!("malformed request head: {error}")))?;
    let httparse::Status::Complete(head_len) = status else {
        return Ok(None);
    };

    let target = parsed.path.unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers = parsed
        .headers
        .iter()
        .map(|header| {
            let value = String::from_utf8_lossy(header.value).into_owned();
            (header.name.to_ascii_lowercase(), value)
        })
        .collect();
    let request = RawRequest {
        method: parsed.method.unwrap_or("GET").to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: Vec::new(),
    };
    Ok(Some((request, head_len)))
}

fn parse_chunk_size(line: &[u8]) -> io::Result<usize> {
    let text = std::str::from_utf8(line).map_err(|_| invalid("chunk size is not ASCII"))?;
    let digits = text.split(';').next().unwrap_or("").trim();
    usize::from_str_radix(digits, 16).map_err(|_| invalid("chunk size is not hexadecimal"))
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_string())
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

//! The wire in front of the protocol library. tower-lsp-server's transport ends its read
//! loop for good on the first frame it cannot decode (tokio-util's `FramedRead` stops after
//! an error), so one malformed message (`{{{{{`, arrays nested 200 deep, a bad
//! `Content-Length`, a body that is not UTF-8) would end the server silently. This layer
//! reads the client's bytes itself, checks each frame (headers, length, UTF-8, JSON, the
//! shape of a JSON-RPC message) and passes on only frames the library accepts; a bad frame
//! gets a JSON-RPC error reply (`id: null`, "parse error" or "invalid request") and the
//! server reads on. Replies from the library and from this layer are written to the client
//! whole, one frame at a time, so they never interleave.
//!
//! It also watches for `shutdown` and `exit`, so that the server can stop its long work and
//! leave promptly even while a command is still running.

use serde::Deserialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::jsonrpc::{Request, Response};

/// The longest header line read; longer lines are garbage.
const MAX_HEADER_LINE: usize = 8 * 1024;
/// The largest message body accepted (a whole document in `didOpen` must fit).
pub const MAX_BODY: usize = 256 * 1024 * 1024;

/// Why a frame was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// A header line that is not `Name: value` (or bytes before `Content-Length`).
    Header { excerpt: String },
    /// The headers ended without a `Content-Length`.
    MissingLength,
    /// A `Content-Length` that is not a number.
    BadLength { value: String },
    /// A body larger than [`MAX_BODY`] (it is skipped).
    TooLarge { length: usize },
    /// The body is not UTF-8.
    NotUtf8 { valid_up_to: usize },
    /// The body is not JSON (nesting deeper than the JSON reader allows included).
    NotJson { reason: String },
    /// JSON, but not a JSON-RPC request, notification or response.
    NotMessage { reason: String, id: Option<serde_json::Value> },
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::Header { excerpt } => write!(f, "malformed header `{excerpt}`"),
            FrameError::MissingLength => write!(f, "a message without a Content-Length header"),
            FrameError::BadLength { value } => write!(f, "Content-Length `{value}` is not a number"),
            FrameError::TooLarge { length } => write!(f, "a message of {length} bytes is larger than the limit of {MAX_BODY} bytes"),
            FrameError::NotUtf8 { valid_up_to } => write!(f, "the message is not valid UTF-8 (at byte {valid_up_to})"),
            FrameError::NotJson { reason } => write!(f, "the message is not JSON: {reason}"),
            FrameError::NotMessage { reason, .. } => write!(f, "the message is not a JSON-RPC message: {reason}"),
        }
    }
}

impl FrameError {
    /// The JSON-RPC error reply to the client (`id` null unless the bad request had one).
    pub fn reply(&self) -> serde_json::Value {
        let (code, id) = match self {
            FrameError::NotMessage { id, .. } => (-32600, id.clone().unwrap_or(serde_json::Value::Null)),
            _ => (-32700, serde_json::Value::Null),
        };
        serde_json::json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": self.to_string() } })
    }
}

/// What the library's transport decodes: the same untagged choice as its own (private)
/// message type, so a frame accepted here is a frame it accepts.
#[derive(Deserialize)]
#[serde(untagged)]
enum Incoming {
    #[allow(dead_code)]
    Response(Response),
    Request(Request),
}

/// How the client's input ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// An `exit` notification; `after_shutdown` tells whether `shutdown` came first (the
    /// exit status is 0 then, 1 otherwise, as the protocol says).
    Exit { after_shutdown: bool },
    /// The client closed the stream.
    Closed,
}

/// Checks one frame's body; a valid one is returned with its method (for requests).
pub fn check_body(body: &[u8]) -> Result<Option<String>, FrameError> {
    let text = std::str::from_utf8(body).map_err(|e| FrameError::NotUtf8 { valid_up_to: e.valid_up_to() })?;
    match serde_json::from_str::<Incoming>(text) {
        Ok(Incoming::Request(request)) => Ok(Some(request.method().to_string())),
        Ok(Incoming::Response(_)) => Ok(None),
        Err(e) if e.is_data() => {
            let id = serde_json::from_str::<serde_json::Value>(text).ok().and_then(|v| v.get("id").cloned()).filter(|id| id.is_i64() || id.is_string());
            Err(FrameError::NotMessage { reason: e.to_string(), id })
        }
        Err(e) => Err(FrameError::NotJson { reason: e.to_string() }),
    }
}

/// One header line read with a bound on its length.
enum Line {
    Text(Vec<u8>),
    TooLong,
    End,
}

async fn read_line<R: AsyncRead + Unpin>(input: &mut BufReader<R>) -> std::io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            return Ok(if line.is_empty() && !too_long { Line::End } else if too_long { Line::TooLong } else { Line::Text(line) });
        }
        let (taken, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if !too_long {
            line.extend_from_slice(&available[..taken]);
            if line.len() > MAX_HEADER_LINE {
                too_long = true;
                line = Vec::new();
            }
        }
        input.consume(taken);
        if done {
            return Ok(if too_long { Line::TooLong } else { Line::Text(line) });
        }
    }
}

fn find_ignoring_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        format!("{short}...")
    } else {
        short
    }
}

/// A frame read from the client: its body, or why it was refused.
enum Read {
    Frame(Vec<u8>),
    Refused(FrameError),
    End,
}

/// What [`read_frame`] found: the frame, and garbage skipped on the way to it (each piece
/// is answered with an error, but it does not spoil the frame that follows).
struct Found {
    read: Read,
    skipped: Vec<FrameError>,
}

async fn read_frame<R: AsyncRead + Unpin>(input: &mut BufReader<R>) -> std::io::Result<Found> {
    let mut length: Option<Result<usize, FrameError>> = None;
    let mut skipped = Vec::new();
    let mut headers_seen = false;
    let found = |read, skipped| Ok(Found { read, skipped });
    loop {
        let line = match read_line(input).await? {
            Line::End => return found(Read::End, skipped),
            Line::TooLong => {
                skipped.push(FrameError::Header { excerpt: "a header line longer than 8 KiB".into() });
                continue;
            }
            Line::Text(line) => line,
        };
        let line = line.strip_suffix(b"\n").unwrap_or(&line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            if headers_seen {
                break;
            }
            if let Some(garbage) = skipped.pop() {
                // Garbage and then a blank line: a frame without headers.
                return found(Read::Refused(garbage), skipped);
            }
            continue;
        }
        if let Some(at) = find_ignoring_case(line, b"content-length:") {
            if at > 0 {
                skipped.push(FrameError::Header { excerpt: excerpt(&line[..at]) });
            }
            headers_seen = true;
            let value = String::from_utf8_lossy(&line[at + "content-length:".len()..]).trim().to_string();
            length = Some(value.parse::<usize>().map_err(|_| FrameError::BadLength { value: excerpt(value.as_bytes()) }));
        } else {
            let is_header = line.iter().position(|b| *b == b':').is_some_and(|colon| colon > 0 && line[..colon].iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-'));
            if is_header {
                headers_seen = true;
            } else {
                skipped.push(FrameError::Header { excerpt: excerpt(line) });
            }
        }
    }
    let length = match length {
        Some(Ok(length)) => length,
        Some(Err(e)) => return found(Read::Refused(e), skipped),
        None => return found(Read::Refused(FrameError::MissingLength), skipped),
    };
    if length > MAX_BODY {
        // Skip the body without holding it.
        let skipped_bytes = tokio::io::copy(&mut (&mut *input).take(length as u64), &mut tokio::io::sink()).await?;
        if (skipped_bytes as usize) < length {
            return found(Read::End, skipped);
        }
        return found(Read::Refused(FrameError::TooLarge { length }), skipped);
    }
    let mut body = vec![0u8; length];
    if input.read_exact(&mut body).await.is_err() {
        return found(Read::End, skipped);
    }
    found(Read::Frame(body), skipped)
}

/// Frames a body for the wire.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads the client's frames from `input` and passes the valid ones to `server`, until the
/// client exits or closes its end. Bad frames are answered through `replies`. `stopping`
/// is set on `shutdown` and `exit` (long work watches it).
pub async fn read_client<R, W>(input: R, mut server: W, replies: UnboundedSender<Vec<u8>>, stopping: Arc<AtomicBool>) -> Ending
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let mut after_shutdown = false;
    loop {
        let Found { read, skipped } = match read_frame(&mut input).await {
            Ok(found) => found,
            Err(_) => return Ending::Closed,
        };
        for problem in skipped {
            eprintln!("spec lsp: ignored bytes: {problem}");
            let _ = replies.send(frame(problem.reply().to_string().as_bytes()));
        }
        let body = match read {
            Read::End => return Ending::Closed,
            Read::Refused(problem) => {
                eprintln!("spec lsp: ignored a message: {problem}");
                let _ = replies.send(frame(problem.reply().to_string().as_bytes()));
                continue;
            }
            Read::Frame(body) => body,
        };
        let method = match check_body(&body) {
            Ok(method) => method,
            Err(problem) => {
                eprintln!("spec lsp: ignored a message: {problem}");
                let _ = replies.send(frame(problem.reply().to_string().as_bytes()));
                continue;
            }
        };
        let is_exit = method.as_deref() == Some("exit");
        if method.as_deref() == Some("shutdown") || is_exit {
            stopping.store(true, Ordering::Relaxed);
        }
        after_shutdown |= method.as_deref() == Some("shutdown");
        if server.write_all(&frame(&body)).await.is_err() || server.flush().await.is_err() {
            return Ending::Closed;
        }
        if is_exit {
            return Ending::Exit { after_shutdown };
        }
    }
}

/// Splits the library's output into whole frames and queues them for the client.
pub async fn relay_server<R: AsyncRead + Unpin>(output: R, frames: UnboundedSender<Vec<u8>>) {
    let mut output = BufReader::new(output);
    loop {
        match read_frame(&mut output).await.map(|found| found.read) {
            Ok(Read::Frame(body)) => {
                if frames.send(frame(&body)).is_err() {
                    return;
                }
            }
            Ok(Read::Refused(_)) => continue,
            Ok(Read::End) | Err(_) => return,
        }
    }
}

/// Writes queued frames to the client, each whole, until every sender is gone.
pub async fn write_client<W: AsyncWrite + Unpin>(mut output: W, mut frames: tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>) {
    while let Some(frame) = frames.recv().await {
        if output.write_all(&frame).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_checked_like_the_library_decodes_them() {
        assert_eq!(check_body(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#), Ok(Some("shutdown".into())));
        assert_eq!(check_body(br#"{"jsonrpc":"2.0","id":1,"result":null}"#), Ok(None));
        assert!(matches!(check_body(b"{{{{{"), Err(FrameError::NotJson { .. })));
        let nested = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(matches!(check_body(nested.as_bytes()), Err(FrameError::NotJson { .. })));
        assert!(matches!(check_body(b"\xff\xfe"), Err(FrameError::NotUtf8 { valid_up_to: 0 })));
        let odd_id = check_body(br#"{"jsonrpc":"2.0","id":7,"method":3}"#);
        assert!(matches!(odd_id, Err(FrameError::NotMessage { id: Some(serde_json::Value::Number(_)), .. })), "{odd_id:?}");
        assert_eq!(FrameError::MissingLength.reply()["error"]["code"], -32700);
    }
}
